import { createHmac } from "node:crypto";
import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { drainHandler } from "@soc/collector-framework";
import { rawExchange, statusBeforeBody } from "@soc/collector-framework/testing";
import { logMessageSchema, Secret, silentLogger, TOPICS, type Bus } from "@soc/shared";
import { createMemoryBus } from "@soc/shared/memory";
import { createKafkaBus } from "@soc/shared/kafka";
import { vercelDrainSource } from "./drain.ts";

const SECRET = "drain-secret-0123456789";
const entry = (clientIp: string, path = "/api/login", statusCode = 401) => ({
  id: "1",
  message: "POST /api/login 401",
  timestamp: 1_764_000_000_000,
  source: "lambda",
  projectId: "prj_1",
  deploymentId: "dpl_1",
  host: "shop.vercel.app",
  path,
  statusCode,
  proxy: {
    timestamp: 1_764_000_000_000,
    method: "POST",
    scheme: "https",
    host: "shop.example.com",
    path,
    userAgent: ["curl/8"],
    statusCode,
    clientIp,
    region: "fra1",
  },
});
const sign = (body: string): string => createHmac("sha1", SECRET).update(body).digest("hex");

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
});

async function receiver(bus: Bus): Promise<string> {
  server = createServer(
    drainHandler({ source: vercelDrainSource({ secret: new Secret(SECRET), verifyToken: "verify-me" }), bus }),
  ).listen(0, "127.0.0.1");
  await once(server, "listening");
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
}

async function published(bus: Bus): Promise<Record<string, unknown>[]> {
  const seen: Record<string, unknown>[] = [];
  await (
    await bus.follow(TOPICS.logs, (m) => seen.push(JSON.parse(m.value ?? "{}") as Record<string, unknown>))
  ).stop();
  return seen;
}

describe("Vercel log drain receiver", () => {
  it("answers Vercel's ownership check with x-vercel-verify", async () => {
    const url = await receiver(createMemoryBus());
    const response = await fetch(url, { method: "GET" });
    expect(response.status).toBe(200);
    expect(response.headers.get("x-vercel-verify")).toBe("verify-me");
  });

  it("accepts a signed JSON array and NDJSON, with the client IP and path from the proxy fields", async () => {
    const bus = createMemoryBus();
    const url = await receiver(bus);
    const array = JSON.stringify([entry("198.51.100.20"), entry("198.51.100.21")]);
    expect(
      (await fetch(url, { method: "POST", body: array, headers: { "x-vercel-signature": sign(array) } })).status,
    ).toBe(200);
    const ndjson = `${JSON.stringify(entry("2001:db8::7"))}\n${JSON.stringify(entry("198.51.100.22", "/checkout", 200))}\n`;
    expect(
      (
        await fetch(url, {
          method: "POST",
          body: ndjson,
          headers: { "x-vercel-signature": sign(ndjson), "content-type": "application/x-ndjson" },
        })
      ).status,
    ).toBe(200);
    const logs = await published(bus);
    expect(logs.map((log) => log.source_ip)).toEqual([
      "198.51.100.20",
      "198.51.100.21",
      "2001:db8::7",
      "198.51.100.22",
    ]);
    expect(logs[0]).toEqual({
      message: '198.51.100.20 vercel lambda shop.example.com "POST /api/login" 401 POST /api/login 401',
      timestamp: 1_764_000_000,
      source: "vercel",
      source_ip: "198.51.100.20",
      endpoint: "/api/login",
    });
  });

  it("rejects an unsigned body with 401 and a wrongly signed one with 403, publishing nothing", async () => {
    const bus = createMemoryBus();
    const url = await receiver(bus);
    const body = JSON.stringify([entry("198.51.100.20")]);
    expect((await fetch(url, { method: "POST", body })).status).toBe(401);
    expect(
      (await fetch(url, { method: "POST", body, headers: { "x-vercel-signature": sign(`${body} `) } })).status,
    ).toBe(403);
    expect(await published(bus)).toEqual([]);
  });

  it("answers 400 to a signed body that is not a log drain", async () => {
    const url = await receiver(createMemoryBus());
    const body = '{"hello": "world"}';
    const response = await fetch(url, { method: "POST", body, headers: { "x-vercel-signature": sign(body) } });
    expect(response.status).toBe(400);
  });

  it("refuses an unsigned request, or one declaring too big a body, from its headers alone: the body is never awaited", async () => {
    const bus = createMemoryBus();
    const url = await receiver(bus);
    const fiveMiB = 5 * 1024 * 1024;
    expect(await statusBeforeBody(url, {}, fiveMiB)).toBe(401);
    expect(await statusBeforeBody(url, { "x-vercel-signature": "sha1=not-hex" }, fiveMiB)).toBe(401);
    expect(await statusBeforeBody(url, { "x-vercel-signature": "ab".repeat(20) }, fiveMiB)).toBe(413);
    expect(await published(bus)).toEqual([]);
  });

  it("stops reading a chunked body at the limit and answers 413", async () => {
    const bus = createMemoryBus();
    const url = await receiver(bus);
    const port = Number(new URL(url).port);
    const chunk = "a".repeat(64 * 1024);
    const head = `POST / HTTP/1.1\r\nhost: x\r\nx-vercel-signature: ${"ab".repeat(20)}\r\ntransfer-encoding: chunked\r\n\r\n`;
    const body = `${`${chunk.length.toString(16)}\r\n${chunk}\r\n`.repeat(20)}0\r\n\r\n`;
    expect(await rawExchange(port, Buffer.from(head + body))).toBe(413);
    expect(await published(bus)).toEqual([]);
  });

  it("publishes a replayed delivery once: copies, even concurrent ones, get 200 and nothing more reaches the bus", async () => {
    const bus = createMemoryBus();
    const url = await receiver(bus);
    const body = JSON.stringify([entry("198.51.100.30")]);
    const send = async (): Promise<number> =>
      (await fetch(url, { method: "POST", body, headers: { "x-vercel-signature": sign(body) } })).status;
    expect(await send()).toBe(200);
    expect(await Promise.all([send(), send(), send()])).toEqual([200, 200, 200]);
    expect((await published(bus)).map((log) => log.source_ip)).toEqual(["198.51.100.30"]);
  });

  it("a 10,000-character URL reaches the bus with its endpoint cut to the stored 2048 and its client IP intact", async () => {
    const bus = createMemoryBus();
    const url = await receiver(bus);
    const path = `/${"a".repeat(9_999)}`;
    const body = JSON.stringify([entry("203.0.113.77", path)]);
    expect((await fetch(url, { method: "POST", body, headers: { "x-vercel-signature": sign(body) } })).status).toBe(
      200,
    );
    const [log] = await published(bus);
    expect(log?.source_ip).toBe("203.0.113.77");
    expect(log?.endpoint).toBe(path.slice(0, 2048));
    expect(logMessageSchema.safeParse(log).success).toBe(true);
  });

  it("drops a client address the log schema cannot store (an IPv6 zone) instead of dead-lettering the log", async () => {
    const bus = createMemoryBus();
    const url = await receiver(bus);
    const body = JSON.stringify([entry("fe80::1%eth0"), entry("[2001:db8::5]:443")]);
    expect((await fetch(url, { method: "POST", body, headers: { "x-vercel-signature": sign(body) } })).status).toBe(
      200,
    );
    const logs = await published(bus);
    expect(logs.map((log) => log.source_ip)).toEqual([undefined, "2001:db8::5"]);
    expect(logs.every((log) => logMessageSchema.safeParse(log).success)).toBe(true);
  });

  it("answers 503 with Retry-After when Kafka cannot take the logs, so Vercel retries", async () => {
    const unreachable = createKafkaBus({
      brokers: ["127.0.0.1:1"],
      clientId: "vercel-test",
      logger: silentLogger(),
      publishTimeoutMs: 1_500,
    });
    const url = await receiver(unreachable);
    const body = JSON.stringify([entry("198.51.100.20")]);
    const response = await fetch(url, { method: "POST", body, headers: { "x-vercel-signature": sign(body) } });
    expect(response.status).toBe(503);
    expect(response.headers.get("retry-after")).toBe("5");
    await unreachable.close();
  }, 20_000);
});
