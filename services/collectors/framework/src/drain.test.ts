import { once } from "node:events";
import type { Server } from "node:http";
import { connect, type AddressInfo, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import {
  BusUnavailableError,
  logMessageSchema,
  MAX_ENDPOINT_CHARS,
  TOPICS,
  type Bus,
  type LogMessage,
} from "@soc/shared";
import { createMemoryBus } from "@soc/shared/memory";
import { eventually } from "@soc/shared/testing";
import { busRecord } from "./bus-record.ts";
import { drainHandler, drainServer, parseJsonLines, type DrainServerLimits, type DrainSource } from "./drain.ts";
import { replayCache } from "./replay-cache.ts";
import { rawExchange } from "./testing/drain-fuzz.ts";

/** A drain with a shared-token credential, enough to drive the framework. */
const source: DrainSource = {
  checkCredentials: (request) =>
    request.headers["x-token"] === "t" ? null : { status: 401, detail: "missing x-token" },
  parse: (raw) => parseJsonLines(raw).map((line) => ({ message: String(line) })),
};

let server: Server | undefined;
const sockets: Socket[] = [];
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  if (server === undefined) return;
  server.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  server = undefined;
});

async function listen(bus: Bus, limits: Partial<DrainServerLimits> = {}): Promise<number> {
  server = drainServer(drainHandler({ source, bus }), limits).listen(0, "127.0.0.1");
  await once(server, "listening");
  return (server.address() as AddressInfo).port;
}

/** Opens a connection, writes `first`, then `drip` every 100 ms; resolves with what the server answered and how long it kept the socket. */
function dribble(port: number, first: string, drip: string): Promise<{ answer: string; heldMs: number }> {
  return new Promise((resolve) => {
    const started = Date.now();
    const socket = connect(port, "127.0.0.1", () => socket.write(first));
    sockets.push(socket);
    let answer = "";
    const timer = setInterval(() => socket.writable && socket.write(drip), 100);
    socket.on("data", (chunk: Buffer) => (answer += chunk.toString("latin1")));
    socket.on("error", () => undefined);
    socket.on("close", () => {
      clearInterval(timer);
      resolve({ answer, heldMs: Date.now() - started });
    });
  });
}

async function published(bus: Bus): Promise<string[]> {
  const values: string[] = [];
  await (await bus.follow(TOPICS.logs, (m) => values.push(m.value ?? ""))).stop();
  return values;
}

describe("drainServer limits", () => {
  it("cuts off a client that dribbles its headers (slowloris) with 408", async () => {
    const port = await listen(createMemoryBus(), { headersTimeoutMs: 300, requestTimeoutMs: 600 });
    const { answer, heldMs } = await dribble(port, "POST / HTTP/1.1\r\nhost: x\r\n", "x-a: b\r\n");
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    // Node's default would hold it 60 s.
    expect(heldMs).toBeLessThan(5_000);
  });

  it("cuts off an authenticated client that dribbles its body with 408, and publishes nothing", async () => {
    const bus = createMemoryBus();
    const port = await listen(bus, { headersTimeoutMs: 300, requestTimeoutMs: 600 });
    const { answer, heldMs } = await dribble(
      port,
      "POST / HTTP/1.1\r\nhost: x\r\nx-token: t\r\ncontent-length: 1000\r\n\r\n[",
      "1,",
    );
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    // Node's default would hold it 300 s.
    expect(heldMs).toBeLessThan(5_000);
    expect(await published(bus)).toEqual([]);
  });

  it("closes connections over the cap at once, and serves again when a place is free", async () => {
    const port = await listen(createMemoryBus(), { maxConnections: 2 });
    const held = [0, 1].map(() => connect(port, "127.0.0.1"));
    sockets.push(...held);
    await Promise.all(held.map((socket) => once(socket, "connect")));
    for (const socket of held) socket.write("POST / HTTP/1.1\r\nhost: x\r\n");
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await rawExchange(port, Buffer.from("GET / HTTP/1.1\r\nhost: x\r\n\r\n"), 2_000)).toBeNull();
    for (const socket of held) socket.destroy();
    await eventually(async () =>
      expect(await rawExchange(port, Buffer.from("GET / HTTP/1.1\r\nhost: x\r\n\r\n"))).toBe(200),
    );
  });
});

describe("drainHandler", () => {
  const post = (port: number, body: string): Promise<number | null> =>
    rawExchange(
      port,
      Buffer.from(
        `POST / HTTP/1.1\r\nhost: x\r\nx-token: t\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      ),
    );

  it("refuses a compressed body with 415 instead of inflating it", async () => {
    const port = await listen(createMemoryBus());
    expect(
      await rawExchange(
        port,
        Buffer.from(
          "POST / HTTP/1.1\r\nhost: x\r\nx-token: t\r\ncontent-encoding: gzip\r\ncontent-length: 3\r\n\r\nabc",
        ),
      ),
    ).toBe(415);
  });

  it("takes the retry of a delivery the bus failed: the replay cache forgets what was not published", async () => {
    const bus = createMemoryBus();
    const publish = bus.publish.bind(bus);
    let down = true;
    bus.publish = (topic, messages) =>
      down ? Promise.reject(new BusUnavailableError("down")) : publish(topic, messages);
    const port = await listen(bus);
    expect(await post(port, '"a"\n"b"')).toBe(503);
    down = false;
    expect(await post(port, '"a"\n"b"')).toBe(200);
    expect(await post(port, '"a"\n"b"')).toBe(200);
    expect((await published(bus)).map((value) => (JSON.parse(value) as LogMessage).message)).toEqual(["a", "b"]);
  });
});

describe("replayCache", () => {
  it("forgets entries after their time and keeps at most maxEntries, the oldest going first", () => {
    let now = 0;
    const cache = replayCache({ maxEntries: 2, ttlMs: 1_000, now: () => now });
    cache.add("a");
    now = 500;
    cache.add("b");
    expect([cache.has("a"), cache.has("b")]).toEqual([true, true]);
    now = 1_000;
    expect([cache.has("a"), cache.has("b")]).toEqual([false, true]);
    cache.add("c");
    cache.add("d");
    expect([cache.has("b"), cache.has("c"), cache.has("d")]).toEqual([false, true, true]);
  });
});

describe("busRecord", () => {
  it("cuts the endpoint to exactly what logMessageSchema stores, keeping the rest of the log", () => {
    const endpoint = (length: number): string => "/".padEnd(length, "a");
    expect(logMessageSchema.safeParse({ message: "m", endpoint: endpoint(MAX_ENDPOINT_CHARS) }).data?.endpoint).toBe(
      endpoint(MAX_ENDPOINT_CHARS),
    );
    // One more is refused or cut by the schema: the collector's limit is the stored one, not a guess.
    expect(
      logMessageSchema.safeParse({ message: "m", endpoint: endpoint(MAX_ENDPOINT_CHARS + 1) }).data?.endpoint,
    ).not.toBe(endpoint(MAX_ENDPOINT_CHARS + 1));
    const record = busRecord({
      message: "GET /aaa…",
      source: "test",
      source_ip: "203.0.113.9",
      endpoint: endpoint(10_000),
    });
    expect(record.key).toBe("203.0.113.9");
    expect(JSON.parse(record.value ?? "")).toEqual({
      message: "GET /aaa…",
      source: "test",
      source_ip: "203.0.113.9",
      endpoint: endpoint(MAX_ENDPOINT_CHARS),
    });
  });
});
