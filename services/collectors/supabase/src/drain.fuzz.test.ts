import { once } from "node:events";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { drainHandler, drainServer } from "@soc/collector-framework";
import { hostileRequests, rawExchange, type DrainFuzzTarget } from "@soc/collector-framework/testing";
import { createMemoryBus, logMessageSchema, Secret, TOPICS } from "@soc/shared";
import { supabaseDrainSource } from "./source.ts";

const TOKEN = "drain-token-123";
const MAX_BODY = 64 * 1024;

const row = (marker: string) =>
  fc.record({
    id: fc.constant(marker),
    timestamp: fc.integer({ min: 0, max: 2_000_000_000_000_000 }),
    event_message: fc
      .record({ msg: fc.string({ maxLength: 200 }), remote_addr: fc.oneof(fc.ipV4(), fc.ipV6(), fc.tuple(fc.ipV6(), fc.nat({ max: 65_535 })).map(([ip, port]) => `[${ip}]:${port}`), fc.string({ maxLength: 50 }), fc.jsonValue()) })
      .map((event) => JSON.stringify({ ...event, marker })),
    metadata: fc.option(fc.jsonValue(), { nil: undefined }),
  });

const supabase: DrainFuzzTarget = {
  credentials: () => ({ "x-drain-token": TOKEN }),
  credentialHeader: "x-drain-token",
  wrongCredential: "drain-token-124",
  validBody: (marker) =>
    fc.tuple(fc.array(row(marker), { minLength: 1, maxLength: 5 }), fc.boolean()).map(([rows, ndjson]) => (ndjson ? rows.map((r) => JSON.stringify(r)).join("\n") : JSON.stringify(rows))),
};

const bus = createMemoryBus();
let server: Server;
let port: number;
beforeAll(async () => {
  server = drainServer(drainHandler({ source: supabaseDrainSource({ headerName: "X-Drain-Token", secret: new Secret(TOKEN) }), bus, maxBodyBytes: MAX_BODY })).listen(0, "127.0.0.1");
  await once(server, "listening");
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe("Supabase drain under hostile requests (fast-check)", () => {
  it("answers every request with a clear 2xx or 4xx; only bodies with the token reach the bus, and all of them validate", async () => {
    const authentic = new Set<string>();
    await fc.assert(
      fc.asyncProperty(hostileRequests(supabase, MAX_BODY), async (request) => {
        if (request.authentic) authentic.add(request.marker);
        const status = await rawExchange(port, request.bytes);
        expect(status, request.bytes.toString("latin1", 0, 300)).not.toBeNull();
        expect(status !== null && ((status >= 200 && status < 300) || (status >= 400 && status < 500)), String(status)).toBe(true);
        if (request.wellFramed && request.method === "POST" && status !== null && status < 300) expect(request.authentic).toBe(true);
        if (request.wellFramed && request.method === "POST" && request.authentic && request.validBody) expect(status).toBe(200);
      }),
      { numRuns: 600 },
    );
    const logs: unknown[] = [];
    await (await bus.follow(TOPICS.logs, (m) => logs.push(JSON.parse(m.value ?? "{}")))).stop();
    expect(logs.length).toBeGreaterThan(0);
    // Whatever address an event carried, the log is one the worker accepts rather than dead-letters.
    expect(logs.filter((log) => !logMessageSchema.safeParse(log).success)).toEqual([]);
    const messages = logs.map((log) => (log as { message: string }).message);
    expect(messages.filter((message) => ![...authentic].some((marker) => message.includes(marker)))).toEqual([]);
    expect(await rawExchange(port, Buffer.from("GET / HTTP/1.1\r\nhost: x\r\n\r\n"))).toBe(200);
  }, 120_000);
});
