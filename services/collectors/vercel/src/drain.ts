/**
 * Vercel log drain: verifies `x-vercel-signature`, answers Vercel's ownership check with
 * `x-vercel-verify`, takes a JSON array or NDJSON. Receiving, the replay cache, publishing and the
 * 503 on a Kafka outage are the framework's drainHandler.
 *
 * Vercel's scheme is a lowercase hex HMAC-SHA1 of the raw body with the drain secret, and nothing
 * else: no timestamp or nonce is signed. So the header can be checked for shape before the body is
 * read, but only the full body proves it. A captured delivery stays valid for ever. Only the
 * framework's cache of accepted bodies stops replays, and only while the body is still in it.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { z } from "zod";
import { clientIp, parseJsonLines, type DrainSource } from "@soc/collector-framework";
import type { LogMessage, Secret } from "@soc/shared";

/** The fields of a Vercel log-drain entry the pipeline uses; others are ignored. */
const drainEntrySchema = z.object({
  message: z.string().optional(),
  timestamp: z.number(),
  source: z.string().optional(),
  host: z.string().optional(),
  path: z.string().optional(),
  statusCode: z.number().optional(),
  proxy: z
    .object({
      method: z.string().optional(),
      path: z.string().optional(),
      host: z.string().optional(),
      statusCode: z.number().optional(),
      clientIp: z.string().optional(),
      userAgent: z.array(z.string()).optional(),
    })
    .optional(),
});
type DrainEntry = z.infer<typeof drainEntrySchema>;

/** `"POST /api/login" 401 ` from the proxy fields; empty for a log without a request (a build, a function's own line). */
function requestLine(entry: DrainEntry): string {
  const proxy = entry.proxy;
  return proxy === undefined
    ? ""
    : `"${proxy.method ?? "GET"} ${proxy.path ?? "/"}" ${proxy.statusCode ?? entry.statusCode ?? ""} `;
}

export function toLogMessage(entry: DrainEntry): LogMessage {
  const proxy = entry.proxy;
  const ip = proxy?.clientIp === undefined ? undefined : (clientIp(proxy.clientIp) ?? undefined);
  const message =
    `${ip ?? "-"} vercel ${entry.source ?? "lambda"} ${proxy?.host ?? entry.host ?? ""} ${requestLine(entry)}${entry.message ?? ""}`.trim();
  return {
    message: message.slice(0, 65_536) || "(empty)",
    timestamp: entry.timestamp / 1000,
    source: "vercel",
    ...(ip === undefined ? {} : { source_ip: ip }),
    ...(proxy?.path !== undefined ? { endpoint: proxy.path.split("?")[0] ?? proxy.path } : {}),
  };
}

/** 20 bytes of HMAC-SHA1 in hex. */
const SIGNATURE_SHAPE = /^[0-9a-f]{40}$/i;

export function signatureMatches(rawBody: Buffer, secret: Secret, header: string): boolean {
  const expected = createHmac("sha1", secret.reveal()).update(rawBody).digest();
  const given = Buffer.from(header, "hex");
  return SIGNATURE_SHAPE.test(header) && given.length === expected.length && timingSafeEqual(given, expected);
}

export function parseDrainBody(raw: Buffer): DrainEntry[] {
  return z.array(drainEntrySchema).parse(parseJsonLines(raw));
}

export interface VercelDrainOptions {
  secret: Secret;
  /** Vercel's ownership token, echoed in `x-vercel-verify`. */
  verifyToken: string;
}

export function vercelDrainSource(options: VercelDrainOptions): DrainSource {
  return {
    headers: { "x-vercel-verify": options.verifyToken },
    checkCredentials(request) {
      const signature = request.headers["x-vercel-signature"];
      if (signature === undefined) return { status: 401, detail: "missing x-vercel-signature" };
      return typeof signature === "string" && SIGNATURE_SHAPE.test(signature)
        ? null
        : { status: 401, detail: "x-vercel-signature is not one hex HMAC-SHA1" };
    },
    verifyBody(request, raw) {
      const signature = request.headers["x-vercel-signature"];
      return typeof signature === "string" && signatureMatches(raw, options.secret, signature)
        ? null
        : { status: 403, detail: "x-vercel-signature does not match the body" };
    },
    parse: (raw) => parseDrainBody(raw).map(toLogMessage),
  };
}
