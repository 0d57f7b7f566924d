import { createHmac } from "node:crypto";
import { once } from "node:events";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { drainServer } from "@soc/collector-framework";
import { hostileRequests, rawExchange, type DrainFuzzTarget } from "@soc/collector-framework/testing";
import { createMemoryBus, logMessageSchema, Secret, TOPICS } from "@soc/shared";
import { vercelDrainHandler } from "./drain.ts";

const SECRET = "drain-secret-0123456789";
const MAX_BODY = 64 * 1024;

const entry = (marker: string) =>
  fc.record({
    id: fc.constant(marker),
    message: fc.string({ maxLength: 200 }).map((text) => `${marker} ${text}`),
    timestamp: fc.integer({ min: 0, max: 2_000_000_000_000 }),
    source: fc.constantFrom("lambda", "edge", "static", "build"),
    proxy: fc.record({
      method: fc.constantFrom("GET", "POST"),
      path: fc.oneof(fc.webPath(), fc.string({ maxLength: 3_000 })),
      host: fc.domain(),
      statusCode: fc.integer({ min: -1, max: 599 }),
      clientIp: fc.oneof(fc.ipV4(), fc.ipV6(), fc.string({ maxLength: 50 })),
    }),
  });

const vercel: DrainFuzzTarget = {
  credentials: (body) => ({ "x-vercel-signature": createHmac("sha1", SECRET).update(body).digest("hex") }),
  credentialHeader: "x-vercel-signature",
  wrongCredential: createHmac("sha1", "not-the-secret").update("x").digest("hex"),
  validBody: (marker) =>
    fc.tuple(fc.array(entry(marker), { minLength: 1, maxLength: 5 }), fc.boolean()).map(([entries, ndjson]) => (ndjson ? entries.map((e) => JSON.stringify(e)).join("\n") : JSON.stringify(entries))),
};

const bus = createMemoryBus();
let server: Server;
let port: number;
beforeAll(async () => {
  server = drainServer(vercelDrainHandler({ bus, secret: new Secret(SECRET), verifyToken: "verify-me", maxBodyBytes: MAX_BODY })).listen(0, "127.0.0.1");
  await once(server, "listening");
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe("Vercel drain under hostile requests (fast-check)", () => {
  it("answers every request with a clear 2xx or 4xx; only signed bodies reach the bus, and all of them validate", async () => {
    const authentic = new Set<string>();
    await fc.assert(
      fc.asyncProperty(hostileRequests(vercel, MAX_BODY), async (request) => {
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
    // Long paths and junk client addresses included, every log is one the worker accepts rather than dead-letters.
    expect(logs.filter((log) => !logMessageSchema.safeParse(log).success)).toEqual([]);
    const messages = logs.map((log) => (log as { message: string }).message);
    expect(messages.filter((message) => ![...authentic].some((marker) => message.includes(marker)))).toEqual([]);
    // Still alive and serving.
    expect(await rawExchange(port, Buffer.from("GET / HTTP/1.1\r\nhost: x\r\n\r\n"))).toBe(200);
  }, 120_000);
});
