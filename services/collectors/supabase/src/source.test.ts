import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { drainHandler } from "@soc/collector-framework";
import { createMemoryBus, Secret, TOPICS } from "@soc/shared";
import { supabaseDrainSource, supabaseSource } from "./source.ts";

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
});

const NOW = Date.parse("2026-11-24T12:00:00Z");
const µs = (iso: string): number => Date.parse(iso) * 1000;

/** Answers like the Management API's logs endpoint; rate-limits the first request. */
async function fakeSupabase() {
  const seen: { table: string; start: string; end: string; token: string }[] = [];
  let limited = false;
  server = createServer((request, response) => {
    const url = new URL(request.url ?? "/", "http://x");
    if (!url.pathname.endsWith("/v1/projects/abcdref/analytics/endpoints/logs.all")) return void response.writeHead(404).end();
    if (!limited) {
      limited = true;
      return void response.writeHead(429, { "retry-after": "1" }).end('{"message":"Too many requests"}');
    }
    const sql = url.searchParams.get("sql") ?? "";
    const table = /from (\w+)/.exec(sql)?.[1] ?? "";
    seen.push({ table, start: url.searchParams.get("iso_timestamp_start") ?? "", end: url.searchParams.get("iso_timestamp_end") ?? "", token: request.headers.authorization ?? "" });
    const result =
      table === "auth_logs"
        ? [{ id: "a1", timestamp: µs("2026-11-24T11:58:40Z"), event_message: JSON.stringify({ msg: "Invalid login credentials", remote_addr: "203.0.113.50", path: "/token" }), ip: null }]
        : table === "edge_logs"
          ? [{ id: "e1", timestamp: µs("2026-11-24T11:58:50Z"), event_message: "POST | 401 | https://abcdref.supabase.co/auth/v1/token", ip: "198.51.100.9" }]
          : [];
    response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ result, error: null }));
  }).listen(0, "127.0.0.1");
  await once(server, "listening");
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

describe("Supabase logs endpoint source", () => {
  it("reads each table in consecutive windows, with the client address, after waiting out a 429", async () => {
    const fake = await fakeSupabase();
    let now = NOW;
    const waits: number[] = [];
    const source = supabaseSource({ baseUrl: fake.url, projectRef: "abcdref", token: new Secret("sbp_token"), windowSeconds: 60, settleSeconds: 30, now: () => now, sleep: async (ms) => void waits.push(ms) });
    const first = await source.poll(null);
    expect(waits).toEqual([1_000]);
    expect(first.logs).toEqual([
      { message: 'supabase auth_logs: {"msg":"Invalid login credentials","remote_addr":"203.0.113.50","path":"/token"} (client 203.0.113.50)', timestamp: Date.parse("2026-11-24T11:58:40Z") / 1000, source: "supabase-auth", source_ip: "203.0.113.50" },
      { message: "supabase edge_logs: POST | 401 | https://abcdref.supabase.co/auth/v1/token (client 198.51.100.9)", timestamp: Date.parse("2026-11-24T11:58:50Z") / 1000, source: "supabase-edge", source_ip: "198.51.100.9" },
    ]);
    now += 60_000;
    await source.poll(first.cursor);
    const auth = fake.seen.filter((q) => q.table === "auth_logs");
    expect(auth.map((q) => [q.start, q.end])).toEqual([
      ["2026-11-24T11:58:30.000Z", "2026-11-24T11:59:30.000Z"],
      ["2026-11-24T11:59:30.000Z", "2026-11-24T12:00:30.000Z"],
    ]);
    expect(new Set(fake.seen.map((q) => q.token))).toEqual(new Set(["Bearer sbp_token"]));
  });
});

describe("Supabase log drain", () => {
  it("accepts the shared header only", async () => {
    const bus = createMemoryBus();
    server = createServer(drainHandler({ source: supabaseDrainSource({ headerName: "X-Drain-Token", secret: new Secret("drain-token-123") }), bus })).listen(0, "127.0.0.1");
    await once(server, "listening");
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    const body = JSON.stringify([{ id: "1", timestamp: µs("2026-11-24T11:00:00Z"), event_message: JSON.stringify({ msg: "Invalid login credentials", remote_addr: "203.0.113.51" }) }]);
    expect((await fetch(url, { method: "POST", body })).status).toBe(401);
    expect((await fetch(url, { method: "POST", body, headers: { "x-drain-token": "wrong-token-000" } })).status).toBe(403);
    expect((await fetch(url, { method: "POST", body, headers: { "x-drain-token": "drain-token-123" } })).status).toBe(200);
    const published: string[] = [];
    await (await bus.follow(TOPICS.logs, (m) => published.push(m.value ?? ""))).stop();
    expect(published.map((value) => JSON.parse(value).source_ip)).toEqual(["203.0.113.51"]);
  });
});
