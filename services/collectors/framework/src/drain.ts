/**
 * The receiving side every push source (log drain) shares: read the raw body within a limit, let
 * the source authenticate and parse it, publish, and answer 200 only after Kafka acknowledged
 * (503 with Retry-After otherwise, so the sender retries).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { TOPICS, type Bus, type LogMessage } from "@soc/shared";

export interface DrainSource {
  /** null when the request may deliver logs; otherwise the status and reason to answer. */
  authenticate(request: IncomingMessage, rawBody: Buffer): { status: 401 | 403; detail: string } | null;
  /** Throws on a body that is not this source's format (answered 400). */
  parse(rawBody: Buffer): LogMessage[];
  /** Headers on every answer (e.g. Vercel's ownership token). */
  headers?: Record<string, string>;
}

export function drainHandler(options: { source: DrainSource; bus: Bus; topic?: string; maxBodyBytes?: number; onPublished?: (count: number) => void }): (request: IncomingMessage, response: ServerResponse) => void {
  const limit = options.maxBodyBytes ?? 5 * 1024 * 1024;
  const reply = (response: ServerResponse, status: number, detail: string, extra: Record<string, string> = {}): void => {
    response.writeHead(status, { "content-type": "application/json", ...options.source.headers, ...extra }).end(JSON.stringify({ detail }));
  };
  return (request, response) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
    });
    request.on("end", () => {
      if (size > limit) return reply(response, 413, `body over ${limit} bytes`);
      const raw = Buffer.concat(chunks);
      // Senders check the endpoint with a request that carries no logs.
      if (request.method !== "POST" || raw.length === 0) return reply(response, 200, "ok");
      const refusal = options.source.authenticate(request, raw);
      if (refusal !== null) return reply(response, refusal.status, refusal.detail);
      let logs: LogMessage[];
      try {
        logs = options.source.parse(raw);
      } catch (error) {
        return reply(response, 400, `not a log drain body: ${(error as Error).message.slice(0, 200)}`);
      }
      options.bus.publish(options.topic ?? TOPICS.logs, logs.map((log) => ({ key: log.source_ip ?? null, value: JSON.stringify(log) }))).then(
        () => {
          options.onPublished?.(logs.length);
          reply(response, 200, `${logs.length} logs accepted`);
        },
        () => reply(response, 503, "the log bus is unavailable; retry later", { "retry-after": "5" }),
      );
    });
  };
}

/** JSON array or NDJSON, as drains send. */
export function parseJsonLines(raw: Buffer): unknown[] {
  const text = raw.toString("utf8").trim();
  return text.startsWith("[") ? (JSON.parse(text) as unknown[]) : text.split("\n").filter((line) => line.trim() !== "").map((line) => JSON.parse(line) as unknown);
}
