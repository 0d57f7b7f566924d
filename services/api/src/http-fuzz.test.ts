// Every HTTP entry point of the API under malformed and hostile requests, sent byte for byte by
// node:http (fetch would normalise them): each one ends in a clear 2xx or 4xx with the JSON error
// body, never a 5xx from an exception, and the server keeps answering.
import { request } from "node:http";
import { createConnection } from "node:net";
import fc from "fast-check";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { silentLogger } from "@soc/shared";
import { createMemoryStore } from "@soc/shared/memory";
import { createMemoryReportSource, createReportRoutes } from "@soc/reporter";
import { startTestApi, TEST_KEYS, type TestApi } from "./testing.ts";

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function send(
  base: string,
  path: string,
  init: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers = {
      ...init.headers,
      ...(init.body === undefined ? {} : { "content-length": String(Buffer.byteLength(init.body)) }),
    };
    // One connection per request: an answer that closes its connection cannot break the next one.
    const call = request(base, { method: init.method ?? "GET", path, headers, agent: false }, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () =>
        resolve({
          status: response.statusCode ?? 0,
          headers: response.headers,
          body: Buffer.concat(chunks).toString("utf8"),
        }),
      );
    });
    call.on("error", reject);
    call.end(init.body);
  });
}

/** A 4xx from the API itself names its reason as {detail, code}; Node's HTTP parser refuses bad bytes with a bare 400 or 431. */
function expectClearAnswer(answer: Answer, method: string): void {
  expect(answer.status, answer.body).toBeGreaterThanOrEqual(200);
  expect(answer.status, answer.body).toBeLessThan(500);
  const fromParser = answer.headers["content-type"] === undefined && [400, 431].includes(answer.status);
  if (answer.status >= 400 && method !== "HEAD" && !fromParser)
    expect(JSON.parse(answer.body)).toEqual({ detail: expect.any(String), code: expect.any(String) });
}

const latin1 = (min: number, max: number) => fc.integer({ min, max }).map((code) => String.fromCharCode(code));
/** What node:http lets into a request target: printable ASCII and Latin-1, no spaces. */
const targetText = (maxLength: number) =>
  fc.string({ unit: fc.oneof(latin1(0x21, 0x7e), latin1(0xa1, 0xff)), maxLength });
/** What node:http lets into a header value. */
const headerText = (maxLength: number) =>
  fc.string({ unit: fc.oneof(latin1(0x20, 0x7e), latin1(0x80, 0xff), fc.constant("\t")), maxLength });
const escapes = fc.oneof(
  fc.constantFrom("%", "%E0%A4%A", "%ZZ", "%00", "%2e%2e", "%2F", "%C0%AE", "%ff%fe", "%uD800", "..", "//"),
  fc.integer({ min: 0, max: 255 }).map((byte) => `%${byte.toString(16).padStart(2, "0")}`),
);
const segment = fc.array(fc.oneof(targetText(12), escapes), { maxLength: 6 }).map((parts) => parts.join(""));

const ROUTES = [
  "/logs",
  "/alerts",
  "/alerts/{x}",
  "/whitelist",
  "/whitelist/{x}",
  "/stats",
  "/pipeline",
  "/auth/whoami",
  "/healthz",
  "/readyz",
  "/metrics",
  "/openapi.json",
  "/docs",
  "/docs/assets/{x}",
  "/reports/monthly.pdf",
  "/{x}",
];
const QUERY_KEYS = [
  "is_anomaly",
  "status",
  "rule",
  "reason",
  "source_ip",
  "from",
  "to",
  "q",
  "size",
  "cursor",
  "bucket_seconds",
  "top",
  "month",
  "x",
];
const queryValue = fc.oneof(
  segment,
  fc.constantFrom(
    "true",
    "new,resolved",
    "brute_force",
    "1.2.3.4",
    "2026-10",
    "1e309",
    "-1",
    "0",
    "NaN",
    "2026-13",
    "9".repeat(400),
    "WzEsIngiXQ",
    "W10",
    "",
    "1000",
    "1001",
  ),
  fc.double().map(String),
);
const query = fc
  .array(fc.tuple(fc.constantFrom(...QUERY_KEYS), queryValue), { maxLength: 6 })
  .map((pairs) => (pairs.length === 0 ? "" : `?${pairs.map(([key, value]) => `${key}=${value}`).join("&")}`));
const path = fc
  .tuple(fc.constantFrom(...ROUTES), segment, query)
  .map(([route, x, q]) => `${route.replace("{x}", x)}${q}`);

const authorization = fc.oneof(
  fc.constant<Record<string, string>>({}),
  fc.constantFrom(...Object.values(TEST_KEYS)).map((key) => ({ authorization: `Bearer ${key}` })),
  headerText(80).map((value) => ({ authorization: value })),
  headerText(80).map((value) => ({ authorization: `Bearer ${value}` })),
  headerText(80).map((value) => ({ "x-api-key": value })),
);
const contentType = fc.oneof(
  fc.constant<Record<string, string>>({}),
  fc
    .constantFrom(
      "application/json",
      "application/x-ndjson",
      "application/json; charset=utf-8",
      "text/plain; charset=json",
      "text/plain",
      "application/x-www-form-urlencoded",
      "multipart/form-data",
    )
    .map((type) => ({ "content-type": type })),
  headerText(60).map((type) => ({ "content-type": type })),
);
const log = fc.record(
  {
    message: fc.string({ maxLength: 80 }),
    timestamp: fc.oneof(fc.double(), fc.string({ maxLength: 30 }), fc.integer()),
    source: fc.string({ maxLength: 20 }),
  },
  { requiredKeys: ["message"] },
);
const body = fc.oneof(
  fc.constant(undefined),
  fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify(value)),
  log.map((value) => JSON.stringify(value)),
  fc.array(log, { maxLength: 5 }).map((logs) => JSON.stringify(logs)),
  fc.array(log, { maxLength: 5 }).map((logs) => logs.map((value) => JSON.stringify(value)).join("\n")),
  fc
    .record(
      {
        ip: fc.oneof(fc.ipV4(), fc.ipV6(), fc.string({ maxLength: 40 })),
        ids: fc.array(fc.string({ maxLength: 10 }), { maxLength: 3 }),
        status: fc.constantFrom("new", "resolved", "closed"),
      },
      { requiredKeys: [] },
    )
    .map((value) => JSON.stringify(value)),
  fc.string({ maxLength: 300 }),
  fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes)),
  fc.integer({ min: 60, max: 80 }).map((kib) => JSON.stringify({ message: "x".repeat(kib * 1024) })),
);
const method = fc.constantFrom("GET", "POST", "PATCH", "DELETE", "PUT", "HEAD", "OPTIONS");

describe("API under fuzzed requests", () => {
  let api: TestApi;
  beforeAll(async () => {
    // The same app as production's read routes: reports mounted behind the read role.
    const store = createMemoryStore();
    api = await startTestApi({
      store,
      readRoutes: [createReportRoutes({ source: createMemoryReportSource(store), logger: silentLogger() })],
    });
  });
  afterAll(async () => {
    await api.close();
  });

  it.each([
    "/%E0%A4%A",
    "/%",
    "/alerts/%E0%A4%A",
    "/whitelist/%",
    "/docs/assets/%E0%A4%A",
    "/alerts?cursor=%E0%A4%A",
    "/stats?from=%",
  ])("answers %s clearly and keeps serving", async (target) => {
    for (const verb of ["GET", "PATCH", "DELETE"])
      expectClearAnswer(
        await send(api.url, target, { method: verb, headers: { authorization: `Bearer ${TEST_KEYS.admin}` } }),
        verb,
      );
    expect((await send(api.url, "/healthz")).status).toBe(200);
  });

  it("answers any path, query, method, key, content type and body with 2xx or a JSON 4xx", async () => {
    await fc.assert(
      fc.asyncProperty(
        method,
        path,
        authorization,
        contentType,
        body,
        headerText(100),
        async (verb, target, auth, type, payload, junk) => {
          const answer = await send(api.url, target, {
            method: verb,
            headers: { ...auth, ...type, "x-fuzz": junk, origin: junk },
            ...(payload === undefined ? {} : { body: payload }),
          });
          expectClearAnswer(answer, verb);
        },
      ),
      { numRuns: 400 },
    );
    expect((await send(api.url, "/healthz")).status).toBe(200);
  });

  it("bounds huge inputs: declared or streamed bodies over the limit, long URLs, many headers, oversized batches", async () => {
    const admin = { authorization: `Bearer ${TEST_KEYS.admin}`, "content-type": "application/json" };
    const declared = await send(api.url, "/logs", {
      method: "POST",
      headers: { ...admin },
      body: "x".repeat(api.deps.maxBodyBytes + 1),
    });
    expect([declared.status, JSON.parse(declared.body).code]).toEqual([413, "payload_too_large"]);
    const batch = JSON.stringify(Array.from({ length: 10_001 }, () => ({ message: "m" })));
    const big = await startTestApi({ maxBodyBytes: 1024 * 1024 });
    try {
      const tooMany = await send(big.url, "/logs", { method: "POST", headers: admin, body: batch });
      expect([tooMany.status, JSON.parse(tooMany.body).detail]).toEqual([400, expect.stringMatching(/10000/)]);
    } finally {
      await big.close();
    }
    expect((await send(api.url, `/alerts?q=${"a".repeat(20_000)}`, { headers: admin })).status).toBe(431);
    expect((await send(api.url, "/alerts", { headers: { ...admin, "x-big": "b".repeat(20_000) } })).status).toBe(431);
    const manyParams = Array.from({ length: 2_000 }, (_, index) => `status=new&x${index}=1`).join("&");
    expectClearAnswer(await send(api.url, `/alerts?${manyParams}`.slice(0, 12_000), { headers: admin }), "GET");
    expect((await send(api.url, "/healthz")).status).toBe(200);
  });

  it("answers a chunked body that grows past the limit with 413 and keeps serving", async () => {
    const answer = await new Promise<Answer>((resolve, reject) => {
      const call = request(
        api.url,
        {
          method: "POST",
          path: "/logs",
          headers: { authorization: `Bearer ${TEST_KEYS.ingest}`, "content-type": "application/x-ndjson" },
          agent: false,
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on("data", (chunk: Buffer) => chunks.push(chunk));
          response.on("end", () =>
            resolve({
              status: response.statusCode ?? 0,
              headers: response.headers,
              body: Buffer.concat(chunks).toString("utf8"),
            }),
          );
        },
      );
      call.on("error", reject);
      for (let index = 0; index < 80; index += 1) call.write(`${JSON.stringify({ message: "y".repeat(1000) })}\n`);
      call.end();
    });
    expect(answer.status).toBe(413);
    expect((await send(api.url, "/healthz")).status).toBe(200);
  });
});

describe("AUTH_MODE=open against DNS rebinding", () => {
  let open: TestApi;
  let port: string;
  beforeAll(async () => {
    open = await startTestApi({ access: { mode: "open", hosts: ["soc.example.com"] } });
    port = new URL(open.url).port;
  });
  afterAll(async () => {
    await open.close();
  });
  afterEach(async () => {
    // Whatever a test attempted, the whitelist was not changed from a foreign name.
    expect(open.deps.whitelist.entries()).not.toContain("0.0.0.0/0");
  });

  it.each(["localhost", "127.0.0.1", "[::1]", "LOCALHOST", "soc.example.com"])(
    "serves callers that name it %s",
    async (name) => {
      const answer = await send(open.url, "/whitelist", { headers: { host: `${name}:${port}` } });
      expect(answer.status).toBe(200);
    },
  );

  it.each([
    "attacker.example",
    "localhost.attacker.example",
    "127.0.0.1.nip.io",
    "localhost@attacker.example",
    "localhost:80@attacker.example",
    "localhost/x",
    "127.1",
    "localhost.",
  ])("refuses a page that reaches it as %s, even for a POST it could send without a preflight", async (name) => {
    const host = `${name}:${port}`;
    const read = await send(open.url, "/whitelist", { headers: { host } });
    expect(read.status).toBe(403);
    expect(JSON.parse(read.body).detail).toMatch(/not allowed.*AUTH_MODE=open/);
    const write = await send(open.url, "/whitelist", {
      method: "POST",
      headers: { host, "content-type": "application/json" },
      body: JSON.stringify({ ip: "0.0.0.0/0" }),
    });
    expect(write.status).toBe(403);
  });

  it("refuses an HTTP/1.0 request that names no host at all", async () => {
    const socket = createConnection(Number(port), "127.0.0.1");
    socket.end("GET /whitelist HTTP/1.0\r\n\r\n");
    let reply = "";
    for await (const chunk of socket) reply += String(chunk);
    expect(reply).toMatch(/^HTTP\/1\.1 403 /);
  });

  it("still answers kubelet probes addressed by pod IP, with no detail", async () => {
    expect((await send(open.url, "/healthz", { headers: { host: `10.1.2.3:${port}` } })).status).toBe(200);
    const ready = await send(open.url, "/readyz", { headers: { host: `10.1.2.3:${port}` } });
    expect(JSON.parse(ready.body)).toEqual({ status: "ready" });
    expect((await send(open.url, "/metrics", { headers: { host: `10.1.2.3:${port}` } })).status).toBe(403);
  });

  it("answers any Host header with 200 for its own names and 403 for every other", async () => {
    await fc.assert(
      // An empty Host is replaced by node:http with the real one; the HTTP/1.0 test covers a missing one.
      fc.asyncProperty(
        fc.oneof(headerText(60), fc.webAuthority(), fc.domain()).filter((host) => host !== ""),
        async (host) => {
          const answer = await send(open.url, "/whitelist", { headers: { host } });
          expectClearAnswer(answer, "GET");
          const name = host
            .toLowerCase()
            .replace(/:\d+$/, "")
            .replace(/^\[(.*)\]$/, "$1");
          if (answer.status === 200) expect(["localhost", "127.0.0.1", "::1", "soc.example.com"]).toContain(name);
          else expect(answer.status).toBe(403);
        },
      ),
      { numRuns: 300 },
    );
  });
});
