/**
 * Test helpers for drain receivers: raw HTTP exchanges (what fetch cannot send: malformed framing,
 * headers without a body) and a fast-check model of hostile requests, shared by every drain's
 * fuzz test so each source is attacked the same way.
 */
import { once } from "node:events";
import { connect, type AddressInfo } from "node:net";
import { request as httpRequest, type RequestListener, type Server } from "node:http";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { logMessageSchema, TOPICS, type Bus } from "@soc/shared";
import { createMemoryBus } from "@soc/shared/memory";
import { drainServer } from "../drain.ts";

/**
 * Writes `bytes`, half-closes, and resolves with the status of the final (non-1xx) answer, or null
 * when the connection closed without one.
 */
export function rawExchange(port: number, bytes: Buffer, timeoutMs = 5_000): Promise<number | null> {
  return new Promise((resolve) => {
    const received: Buffer[] = [];
    const socket = connect(port, "127.0.0.1");
    const finish = (): void => {
      clearTimeout(timer);
      socket.destroy();
      const statuses = [
        ...Buffer.concat(received)
          .toString("latin1")
          .matchAll(/HTTP\/1\.[01] (\d{3}) /g),
      ].map((match) => Number(match[1]));
      resolve(statuses.find((status) => status >= 200) ?? null);
    };
    const timer = setTimeout(finish, timeoutMs);
    socket.on("data", (chunk: Buffer) => received.push(chunk));
    socket.on("error", () => undefined);
    socket.on("close", finish);
    socket.end(bytes);
  });
}

/**
 * Sends the headers of a POST declaring `contentLength` bytes, none of the body, and resolves with
 * the status answered meanwhile, or "no answer" after `waitMs` (the server waits for the body).
 */
export function statusBeforeBody(
  url: string,
  headers: Record<string, string>,
  contentLength: number,
  waitMs = 2_000,
): Promise<number | "no answer"> {
  return new Promise((resolve) => {
    const request = httpRequest(url, {
      method: "POST",
      headers: { ...headers, "content-length": String(contentLength) },
    });
    const timer = setTimeout(() => {
      request.destroy();
      resolve("no answer");
    }, waitMs);
    request.on("response", (response) => {
      clearTimeout(timer);
      response.resume();
      request.destroy();
      resolve(response.statusCode ?? 0);
    });
    request.on("error", () => undefined);
    request.flushHeaders();
  });
}

/** What a fuzz test needs to know of one drain source. */
export interface DrainFuzzTarget {
  /** Headers with a valid credential for `body`. */
  credentials(body: Buffer): Record<string, string>;
  /** The header the source authenticates with, and a value of the right shape that is wrong. */
  credentialHeader: string;
  wrongCredential: string;
  /** Bodies of the source's format whose every log contains `marker`. */
  validBody(marker: string): fc.Arbitrary<string>;
}

export interface HostileRequest {
  bytes: Buffer;
  method: string;
  /** The body went with a valid credential: only such markers may reach the bus. */
  authentic: boolean;
  marker: string;
  /** Content-Length matches a non-empty body and nothing else garbles the request. */
  wellFramed: boolean;
  /** The body is in the source's format. */
  validBody: boolean;
}

const JUNK_BODIES = [
  "[",
  '{"a":',
  "[null]",
  "[1,2]",
  "{}",
  "[]",
  "\n\n\n",
  '{"__proto__":{"polluted":1}}',
  "1e999999",
  `${"[".repeat(5_000)}${"]".repeat(5_000)}`,
  "\u0000\u0001",
  "[{}]",
];
const TARGETS = [
  "/drain",
  "/%E0%A4%A",
  "/%",
  "/..%2f..%2fetc/passwd",
  "*",
  "http://evil.example/",
  "/?a=%ZZ",
  `/${"a".repeat(6_000)}`,
  "/\u00ff\u00fe",
];
const FRAMINGS = ["chunked", "none", "short", "long", "both", "declared-huge", "invalid-length", "bad-chunks"] as const;
type Framing = "length" | (typeof FRAMINGS)[number];

/** Mostly `normal`, so most cases get past the HTTP parser and reach the drain; otherwise one of `others`. */
const usually = <T>(normal: T, ...others: fc.Arbitrary<T>[]): fc.Arbitrary<T> =>
  fc.oneof({ weight: 3 * others.length, arbitrary: fc.constant(normal) }, ...others);

function framed(framing: Framing, body: Buffer, cut: number): { headers: string[]; payload: Buffer } {
  const half = Math.min(cut, body.length);
  const chunk = (part: Buffer): string => `${part.length.toString(16)}\r\n${part.toString("latin1")}\r\n`;
  switch (framing) {
    case "length":
      return { headers: [`content-length: ${body.length}`], payload: body };
    case "chunked":
      return {
        headers: ["transfer-encoding: chunked"],
        payload: Buffer.from(`${chunk(body.subarray(0, half))}${chunk(body.subarray(half))}0\r\n\r\n`, "latin1"),
      };
    case "none":
      return { headers: [], payload: body };
    case "short":
      return { headers: [`content-length: ${Math.max(0, body.length - cut)}`], payload: body };
    case "long":
      return { headers: [`content-length: ${body.length + cut + 1}`], payload: body };
    case "both":
      return { headers: [`content-length: ${body.length}`, "transfer-encoding: chunked"], payload: body };
    case "declared-huge":
      return { headers: ["content-length: 52428800"], payload: body };
    case "invalid-length":
      return {
        headers: [
          [
            "content-length: abc",
            "content-length: -1",
            "content-length: 1, 2",
            `content-length: ${body.length}\r\ncontent-length: ${body.length + 1}`,
          ][cut % 4] ?? "",
        ],
        payload: body,
      };
    case "bad-chunks":
      return {
        headers: ["transfer-encoding: chunked"],
        payload: Buffer.from(`zz\r\n${body.toString("latin1")}\r\n`, "latin1"),
      };
  }
}

/** Requests a hostile client could send: every part of the request line, headers, framing and body varied. */
export function hostileRequests(target: DrainFuzzTarget, maxBodyBytes: number): fc.Arbitrary<HostileRequest> {
  const marker = fc.uuid();
  const junkHeader = fc.oneof(
    fc
      .tuple(
        fc.string({ unit: fc.constantFrom(..."abcdefghijklmnopqrstuvwxyz0123456789-"), minLength: 1, maxLength: 12 }),
        fc.string({ maxLength: 40 }),
      )
      .map(([name, value]) => `x-${name}: ${value}`),
    fc.constantFrom(
      "no colon here",
      " folded: value",
      "bad\u0000name: v",
      `x-big: ${"v".repeat(20_000)}`,
      "expect: 100-continue",
      "content-type: text/plain; charset=utf-7",
    ),
  );
  return fc
    .record({
      marker,
      method: usually("POST", fc.constantFrom("GET", "PUT", "HEAD", "OPTIONS", "DELETE", "BREW")),
      path: usually("/", fc.constantFrom(...TARGETS), fc.webPath(), fc.string({ maxLength: 60 })),
      version: usually("HTTP/1.1", fc.constantFrom("HTTP/1.0", "HTTP/1.x", "HTTP/9.9")),
      credential: usually("valid", fc.constantFrom("absent", "wrong", "garbage", "duplicate")),
      garbage: fc.string({ maxLength: 80 }),
      framing: usually<Framing>("length", fc.constantFrom(...FRAMINGS)),
      cut: fc.nat({ max: 64 }),
      encoding: usually<string | undefined>(undefined, fc.constantFrom("gzip", "br", "identity", "GZIP", "x-unknown")),
      junk: usually<string[]>([], fc.array(junkHeader, { minLength: 1, maxLength: 2 })),
      bodyKind: usually("valid", fc.constantFrom("bytes", "junk", "json", "oversized")),
      bytes: fc.uint8Array({ maxLength: 512 }),
      junkBody: fc.constantFrom(...JUNK_BODIES),
      json: fc.json(),
    })
    .chain((parts) => target.validBody(parts.marker).map((valid) => ({ ...parts, valid })))
    .map((parts) => {
      const body = {
        valid: Buffer.from(parts.valid),
        bytes: Buffer.from(parts.bytes),
        junk: Buffer.from(parts.junkBody),
        json: Buffer.from(parts.json),
        oversized: Buffer.alloc(maxBodyBytes + 1, "a"),
      }[parts.bodyKind];
      const credential = {
        valid: Object.entries(target.credentials(body)).map(([name, value]) => `${name}: ${value}`),
        absent: [],
        wrong: [`${target.credentialHeader}: ${target.wrongCredential}`],
        garbage: [`${target.credentialHeader}: ${parts.garbage}`],
        duplicate: [
          `${target.credentialHeader}: ${target.wrongCredential}`,
          `${target.credentialHeader}: ${target.wrongCredential}`,
        ],
      }[parts.credential];
      const { headers, payload } = framed(parts.framing, body, parts.cut);
      const encoding = parts.encoding === undefined ? [] : [`content-encoding: ${parts.encoding}`];
      const head = [
        `${parts.method} ${parts.path} ${parts.version}`,
        "host: drain.test",
        ...credential,
        ...headers,
        ...encoding,
        ...parts.junk,
      ].join("\r\n");
      const clean = parts.version === "HTTP/1.1" && parts.junk.length === 0 && /^\/[\w\-./~]*$/.test(parts.path);
      return {
        bytes: Buffer.concat([Buffer.from(`${head}\r\n\r\n`, "latin1"), payload]),
        method: parts.method,
        authentic: parts.credential === "valid",
        marker: parts.marker,
        wellFramed: clean && parts.framing === "length" && body.length > 0 && parts.encoding === undefined,
        validBody: parts.bodyKind === "valid",
      };
    });
}

/** A JSON array or NDJSON batch of 1–5 records, as drains receive them. */
export const drainBatch = <T>(record: fc.Arbitrary<T>): fc.Arbitrary<string> =>
  fc
    .tuple(fc.array(record, { minLength: 1, maxLength: 5 }), fc.boolean())
    .map(([records, ndjson]) => (ndjson ? records.map((r) => JSON.stringify(r)).join("\n") : JSON.stringify(records)));

/**
 * The fuzz test every drain runs: 600 hostile requests against the real server. Each ends in a
 * clear 2xx or 4xx, only authenticated bodies reach the bus, every published log is one the worker
 * accepts rather than dead-letters, and the server still serves afterwards.
 */
export function describeDrainFuzz(
  name: string,
  target: DrainFuzzTarget,
  handler: (bus: Bus) => RequestListener,
  maxBodyBytes: number,
): void {
  const bus = createMemoryBus();
  let server: Server;
  let port: number;
  beforeAll(async () => {
    server = drainServer(handler(bus)).listen(0, "127.0.0.1");
    await once(server, "listening");
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  describe(`${name} drain under hostile requests (fast-check)`, () => {
    it("answers every request with a clear 2xx or 4xx; only authenticated bodies reach the bus, and all of them validate", async () => {
      const authentic = new Set<string>();
      await fc.assert(
        fc.asyncProperty(hostileRequests(target, maxBodyBytes), async (request) => {
          if (request.authentic) authentic.add(request.marker);
          const status = await rawExchange(port, request.bytes);
          expect(status, request.bytes.toString("latin1", 0, 300)).not.toBeNull();
          expect(
            status !== null && ((status >= 200 && status < 300) || (status >= 400 && status < 500)),
            String(status),
          ).toBe(true);
          if (request.wellFramed && request.method === "POST" && status !== null && status < 300)
            expect(request.authentic).toBe(true);
          if (request.wellFramed && request.method === "POST" && request.authentic && request.validBody)
            expect(status).toBe(200);
        }),
        { numRuns: 600 },
      );
      const logs: unknown[] = [];
      await (await bus.follow(TOPICS.logs, (m) => logs.push(JSON.parse(m.value ?? "{}")))).stop();
      expect(logs.length).toBeGreaterThan(0);
      // Long paths and junk client addresses included, every log is one the worker accepts.
      expect(logs.filter((log) => !logMessageSchema.safeParse(log).success)).toEqual([]);
      const messages = logs.map((log) => (log as { message: string }).message);
      expect(messages.filter((message) => ![...authentic].some((marker) => message.includes(marker)))).toEqual([]);
      expect(await rawExchange(port, Buffer.from("GET / HTTP/1.1\r\nhost: x\r\n\r\n"))).toBe(200);
    }, 120_000);
  });
}
