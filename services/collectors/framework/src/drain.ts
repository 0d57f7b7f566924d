/**
 * The receiving side every push source (log drain) shares. The order makes an unauthenticated
 * sender cost no memory:
 * 1. before any byte of the body is read, the credential is checked from the headers (a shared
 *    token completely, an HMAC header for its shape) and the declared length against a low limit;
 * 2. the body is read up to that limit, then an HMAC over its bytes is verified;
 * 3. a body accepted before (same digest) gets 200 again but is not published again (replays,
 *    or the sender's retries);
 * 4. 200 comes only after Kafka acknowledged; otherwise 503 with Retry-After, so the sender retries.
 */
import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, type RequestListener, type Server } from "node:http";
import { TOPICS, type Bus, type LogMessage } from "@soc/shared";
import { answerUnparsableRequests } from "@soc/shared/http";
import { busRecord } from "./bus-record.ts";
import { replayCache, type ReplayCache } from "./replay-cache.ts";

export interface Refusal {
  status: 401 | 403 | 413 | 415;
  detail: string;
}

export interface DrainSource {
  /** From the headers alone, before the body is read: null when the request may go on. */
  checkCredentials(request: IncomingMessage): Refusal | null;
  /** For a credential computed over the body's bytes (an HMAC): runs on the complete body. */
  verifyBody?(request: IncomingMessage, rawBody: Buffer): Refusal | null;
  /** Throws on a body that is not this source's format (answered 400). */
  parse(rawBody: Buffer): LogMessage[];
  /** Headers on every answer (e.g. Vercel's ownership token). */
  headers?: Record<string, string>;
}

/** Drains batch a few hundred entries; a sender that needs more gets 413 and the limit can be raised. */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

export interface DrainHandlerOptions {
  source: DrainSource;
  bus: Bus;
  topic?: string;
  maxBodyBytes?: number;
  replay?: ReplayCache;
  onPublished?: (count: number) => void;
}

/** Length and encoding, from the headers: a body over the limit is never read. */
function framingProblem(request: IncomingMessage, limit: number): Refusal | null {
  if (Number(request.headers["content-length"] ?? 0) > limit)
    return { status: 413, detail: `body over ${limit} bytes` };
  const encoding = request.headers["content-encoding"];
  // Inflating would need its own bound (a small gzip can expand a thousandfold); drains send plain JSON.
  if (encoding !== undefined && encoding !== "identity")
    return { status: 415, detail: "content-encoding is not supported; send the body uncompressed" };
  return null;
}

/** Calls `done` with the body, or with null as soon as it passes `limit` (the rest is not kept). */
function readBody(request: IncomingMessage, limit: number, done: (raw: Buffer | null) => void): void {
  const chunks: Buffer[] = [];
  let size = 0;
  const onData = (chunk: Buffer): void => {
    size += chunk.length;
    if (size <= limit) return void chunks.push(chunk);
    request.off("data", onData).off("end", onEnd);
    done(null);
  };
  const onEnd = (): void => done(Buffer.concat(chunks));
  request.on("data", onData).on("end", onEnd);
}

export function drainHandler(options: DrainHandlerOptions): RequestListener {
  const limit = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const replay = options.replay ?? replayCache();
  const topic = options.topic ?? TOPICS.logs;
  return (request, response) => {
    const reply = (status: number, detail: string, extra: Record<string, string> = {}): void => {
      response
        .writeHead(status, { "content-type": "application/json", ...options.source.headers, ...extra })
        .end(JSON.stringify({ detail }));
    };
    // Refused before its body was read: closing the connection stops the sender's upload.
    const refuse = (refusal: Refusal): void => reply(refusal.status, refusal.detail, { connection: "close" });
    // An upload the client aborts emits "error"; there is nobody left to answer.
    request.on("error", () => undefined);
    // Senders check the endpoint with a request that carries no logs.
    if (request.method !== "POST" || request.headers["content-length"] === "0") return reply(200, "ok");
    const early = options.source.checkCredentials(request) ?? framingProblem(request, limit);
    if (early !== null) return refuse(early);
    readBody(request, limit, (raw) => {
      if (raw === null) return refuse({ status: 413, detail: `body over ${limit} bytes` });
      const refusal = options.source.verifyBody?.(request, raw) ?? null;
      if (refusal !== null) return reply(refusal.status, refusal.detail);
      const digest = createHash("sha256").update(raw).digest("hex");
      if (replay.has(digest)) return reply(200, "already accepted; not published again");
      let logs: LogMessage[];
      try {
        logs = options.source.parse(raw);
      } catch (error) {
        return reply(400, `not a log drain body: ${(error as Error).message.slice(0, 200)}`);
      }
      // Taken before publishing, so concurrent copies of one body are not all published.
      replay.add(digest);
      options.bus.publish(topic, logs.map(busRecord)).then(
        () => {
          options.onPublished?.(logs.length);
          reply(200, `${logs.length} logs accepted`);
        },
        () => {
          replay.delete(digest);
          reply(503, "the log bus is unavailable; retry later", { "retry-after": "5" });
        },
      );
    });
  };
}

export interface DrainServerLimits {
  /** Whole request, body included: a sender that dribbles bytes (slowloris) gets 408. */
  requestTimeoutMs: number;
  headersTimeoutMs: number;
  /** Idle time allowed between requests on a kept-alive connection. */
  keepAliveTimeoutMs: number;
  /** Connections past this are closed at once. With the body limit it bounds a drain's memory (64 × 1 MiB). */
  maxConnections: number;
}

export const DEFAULT_DRAIN_SERVER_LIMITS: DrainServerLimits = {
  requestTimeoutMs: 30_000,
  headersTimeoutMs: 10_000,
  keepAliveTimeoutMs: 5_000,
  maxConnections: 64,
};

/** The HTTP server for a drain: slow or numerous clients cannot hold sockets and memory. */
export function drainServer(listener: RequestListener, limits: Partial<DrainServerLimits> = {}): Server {
  const { requestTimeoutMs, headersTimeoutMs, keepAliveTimeoutMs, maxConnections } = {
    ...DEFAULT_DRAIN_SERVER_LIMITS,
    ...limits,
  };
  // Node enforces both timeouts on a timer (every 30 s by default), which must tick more often than they expire.
  const server = createServer(
    {
      requestTimeout: requestTimeoutMs,
      headersTimeout: headersTimeoutMs,
      connectionsCheckingInterval: Math.min(1_000, headersTimeoutMs),
    },
    listener,
  );
  server.keepAliveTimeout = keepAliveTimeoutMs;
  server.maxConnections = maxConnections;
  return answerUnparsableRequests(server);
}

/** JSON array or NDJSON, as drains send. */
export function parseJsonLines(raw: Buffer): unknown[] {
  const text = raw.toString("utf8").trim();
  return text.startsWith("[")
    ? (JSON.parse(text) as unknown[])
    : text
        .split("\n")
        .filter((line) => line.trim() !== "")
        .map((line) => JSON.parse(line) as unknown);
}
