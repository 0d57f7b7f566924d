/**
 * Receives a Vercel log drain: verifies `x-vercel-signature` (HMAC-SHA1 of the raw body with the
 * drain secret), answers Vercel's ownership check with `x-vercel-verify`, accepts a JSON array or
 * NDJSON, and answers 200 only after Kafka acknowledged every log of the request.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { isIP } from "node:net";
import { z } from "zod";
import { BusUnavailableError, TOPICS, type Bus, type LogMessage, type Secret } from "@soc/shared";

/** The fields of a Vercel log-drain entry the pipeline uses; others are ignored. */
const drainEntrySchema = z.object({
  message: z.string().optional(),
  timestamp: z.number(),
  source: z.string().optional(),
  host: z.string().optional(),
  path: z.string().optional(),
  statusCode: z.number().optional(),
  proxy: z
    .object({ method: z.string().optional(), path: z.string().optional(), host: z.string().optional(), statusCode: z.number().optional(), clientIp: z.string().optional(), userAgent: z.array(z.string()).optional() })
    .optional(),
});
type DrainEntry = z.infer<typeof drainEntrySchema>;

export function toLogMessage(entry: DrainEntry): LogMessage {
  const proxy = entry.proxy;
  const request = proxy === undefined ? "" : `"${proxy.method ?? "GET"} ${proxy.path ?? "/"}" ${proxy.statusCode ?? entry.statusCode ?? ""} `;
  const ip = proxy?.clientIp !== undefined && isIP(proxy.clientIp) !== 0 ? proxy.clientIp : undefined;
  const message = `${ip ?? "-"} vercel ${entry.source ?? "lambda"} ${proxy?.host ?? entry.host ?? ""} ${request}${entry.message ?? ""}`.trim();
  return {
    message: message.slice(0, 65_536) || "(empty)",
    timestamp: entry.timestamp / 1000,
    source: "vercel",
    ...(ip === undefined ? {} : { source_ip: ip }),
    ...(proxy?.path !== undefined ? { endpoint: proxy.path.split("?")[0] ?? proxy.path } : {}),
  };
}

export function signatureMatches(rawBody: Buffer, secret: Secret, header: string): boolean {
  const expected = Buffer.from(createHmac("sha1", secret.reveal()).update(rawBody).digest("hex"));
  const given = Buffer.from(header);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export function parseDrainBody(raw: string): DrainEntry[] {
  const trimmed = raw.trim();
  const values: unknown[] = trimmed.startsWith("[") ? (JSON.parse(trimmed) as unknown[]) : trimmed.split("\n").filter((line) => line.trim() !== "").map((line) => JSON.parse(line) as unknown);
  return z.array(drainEntrySchema).parse(values);
}

export interface DrainOptions {
  bus: Bus;
  secret: Secret;
  /** Vercel's ownership token, echoed in `x-vercel-verify`. */
  verifyToken: string;
  topic?: string;
  maxBodyBytes?: number;
  onPublished?: (count: number) => void;
}

export function vercelDrainHandler(options: DrainOptions): (request: IncomingMessage, response: ServerResponse) => void {
  const limit = options.maxBodyBytes ?? 5 * 1024 * 1024;
  const reply = (response: ServerResponse, status: number, detail: string): void => {
    response.writeHead(status, { "content-type": "application/json", "x-vercel-verify": options.verifyToken }).end(JSON.stringify({ detail }));
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
      // Vercel checks ownership with a request that carries no logs.
      if (request.method !== "POST" || raw.length === 0) return reply(response, 200, "ok");
      const signature = request.headers["x-vercel-signature"];
      if (typeof signature !== "string") return reply(response, 401, "missing x-vercel-signature");
      if (!signatureMatches(raw, options.secret, signature)) return reply(response, 403, "x-vercel-signature does not match the body");
      let logs: LogMessage[];
      try {
        logs = parseDrainBody(raw.toString("utf8")).map(toLogMessage);
      } catch (error) {
        return reply(response, 400, `not a Vercel log drain body: ${(error as Error).message.slice(0, 200)}`);
      }
      options.bus.publish(options.topic ?? TOPICS.logs, logs.map((log) => ({ key: log.source_ip ?? null, value: JSON.stringify(log) }))).then(
        () => {
          options.onPublished?.(logs.length);
          reply(response, 200, `${logs.length} logs accepted`);
        },
        (error: unknown) => {
          if (error instanceof BusUnavailableError) response.setHeader("retry-after", "5");
          reply(response, 503, "the log bus is unavailable; retry later");
        },
      );
    });
  };
}
