import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { drainHandler } from "@soc/collector-framework";
import { statusBeforeBody } from "@soc/collector-framework/testing";
import { logMessageSchema, Secret, TOPICS, type Bus } from "@soc/shared";
import { createMemoryBus } from "@soc/shared/memory";
import { supabaseDrainSource, supabaseSource, toLogMessage } from "./source.ts";

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
    if (!url.pathname.endsWith("/v1/projects/abcdref/analytics/endpoints/logs.all"))
      return void response.writeHead(404).end();
    if (!limited) {
      limited = true;
      return void response.writeHead(429, { "retry-after": "1" }).end('{"message":"Too many requests"}');
    }
    const sql = url.searchParams.get("sql") ?? "";
    const table = /from (\w+)/.exec(sql)?.[1] ?? "";
    seen.push({
      table,
      start: url.searchParams.get("iso_timestamp_start") ?? "",
      end: url.searchParams.get("iso_timestamp_end") ?? "",
      token: request.headers.authorization ?? "",
    });
    const result =
      table === "auth_logs"
        ? [
            {
              id: "a1",
              timestamp: µs("2026-11-24T11:58:40Z"),
              event_message: JSON.stringify({
                msg: "Invalid login credentials",
                remote_addr: "203.0.113.50",
                path: "/token",
              }),
              ip: null,
            },
          ]
        : table === "edge_logs"
          ? [
              {
                id: "e1",
                timestamp: µs("2026-11-24T11:58:50Z"),
                event_message: "POST | 401 | https://abcdref.supabase.co/auth/v1/token",
                ip: "198.51.100.9",
              },
            ]
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
    const source = supabaseSource({
      baseUrl: fake.url,
      projectRef: "abcdref",
      token: new Secret("sbp_token"),
      windowSeconds: 60,
      settleSeconds: 30,
      now: () => now,
      sleep: async (ms) => void waits.push(ms),
    });
    const first = await source.poll(null);
    expect(waits).toEqual([1_000]);
    expect(first.logs).toEqual([
      {
        message:
          'supabase auth_logs: {"msg":"Invalid login credentials","remote_addr":"203.0.113.50","path":"/token"} (client 203.0.113.50)',
        timestamp: Date.parse("2026-11-24T11:58:40Z") / 1000,
        source: "supabase-auth",
        source_ip: "203.0.113.50",
      },
      {
        message: "supabase edge_logs: POST | 401 | https://abcdref.supabase.co/auth/v1/token (client 198.51.100.9)",
        timestamp: Date.parse("2026-11-24T11:58:50Z") / 1000,
        source: "supabase-edge",
        source_ip: "198.51.100.9",
      },
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

  it("keeps a bare IPv6 client whole and strips the port only where the table's format has one", () => {
    const row = (ip: string) => ({ id: "r", timestamp: µs("2026-11-24T11:00:00Z"), event_message: "m", ip });
    expect(toLogMessage("edge_logs", row("2001:db8::1:2")).source_ip).toBe("2001:db8::1:2");
    // postgres_logs' connection_from is PostgreSQL's remote_host:remote_port, port appended even to an IPv6.
    expect(toLogMessage("postgres_logs", row("2001:db8::7:5432")).source_ip).toBe("2001:db8::7");
    expect(toLogMessage("postgres_logs", row("203.0.113.8:5432")).source_ip).toBe("203.0.113.8");
    expect(toLogMessage("edge_logs", row("not an address")).source_ip).toBeUndefined();
    // A remote_addr that is not a string is no address, not an exception that would stall every later poll.
    expect(
      toLogMessage("auth_logs", { id: "r", timestamp: 0, event_message: '{"remote_addr":42}' }).source_ip,
    ).toBeUndefined();
  });
});

async function drain(bus: Bus): Promise<string> {
  server = createServer(
    drainHandler({
      source: supabaseDrainSource({ headerName: "X-Drain-Token", secret: new Secret("drain-token-123") }),
      bus,
    }),
  ).listen(0, "127.0.0.1");
  await once(server, "listening");
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
}

async function published(bus: Bus): Promise<Record<string, unknown>[]> {
  const logs: Record<string, unknown>[] = [];
  await (
    await bus.follow(TOPICS.logs, (m) => logs.push(JSON.parse(m.value ?? "{}") as Record<string, unknown>))
  ).stop();
  return logs;
}

const authEvent = (id: string, remoteAddr: string) => ({
  id,
  timestamp: µs("2026-11-24T11:00:00Z"),
  event_message: JSON.stringify({ msg: "Invalid login credentials", remote_addr: remoteAddr }),
});

describe("Supabase log drain", () => {
  it("accepts the shared header only", async () => {
    const bus = createMemoryBus();
    const url = await drain(bus);
    const body = JSON.stringify([authEvent("1", "203.0.113.51")]);
    expect((await fetch(url, { method: "POST", body })).status).toBe(401);
    expect((await fetch(url, { method: "POST", body, headers: { "x-drain-token": "wrong-token-000" } })).status).toBe(
      403,
    );
    expect((await fetch(url, { method: "POST", body, headers: { "x-drain-token": "drain-token-123" } })).status).toBe(
      200,
    );
    expect((await published(bus)).map((log) => log.source_ip)).toEqual(["203.0.113.51"]);
  });

  it("checks the token from the headers alone: a body is never awaited for a sender without it, or over the limit", async () => {
    const bus = createMemoryBus();
    const url = await drain(bus);
    const fiveMiB = 5 * 1024 * 1024;
    expect(await statusBeforeBody(url, {}, fiveMiB)).toBe(401);
    expect(await statusBeforeBody(url, { "x-drain-token": "wrong-token-000" }, fiveMiB)).toBe(403);
    expect(await statusBeforeBody(url, { "x-drain-token": "drain-token-123" }, fiveMiB)).toBe(413);
  });

  it("attributes IPv6 clients to their whole address, and publishes a delivery sent twice once", async () => {
    const bus = createMemoryBus();
    const url = await drain(bus);
    const body = JSON.stringify([
      authEvent("1", "2001:db8::1:2"),
      authEvent("2", "[2001:db8::9]:51234"),
      authEvent("3", "fe80::1%eth0"),
    ]);
    const send = async (): Promise<number> =>
      (await fetch(url, { method: "POST", body, headers: { "x-drain-token": "drain-token-123" } })).status;
    expect([await send(), await send()]).toEqual([200, 200]);
    const logs = await published(bus);
    expect(logs.map((log) => log.source_ip)).toEqual(["2001:db8::1:2", "2001:db8::9", undefined]);
    expect(logs.every((log) => logMessageSchema.safeParse(log).success)).toBe(true);
  });
});
