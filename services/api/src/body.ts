/**
 * Request bodies: read raw with a size limit (413), then parsed as JSON or NDJSON (400 on bad
 * syntax). Reading raw ourselves keeps the limit exact and the errors in our JSON format.
 */
import type { Context } from "koa";
import { AppError } from "@soc/shared";

export async function readRawBody(ctx: Context, maxBytes: number): Promise<string> {
  const declared = Number(ctx.get("content-length") || "0");
  if (declared > maxBytes)
    throw new AppError("payload_too_large", `Body is ${declared} bytes; the limit is ${maxBytes}`);
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of ctx.req) {
      const buffer = chunk as Buffer;
      size += buffer.length;
      if (size > maxBytes) throw new AppError("payload_too_large", `Body exceeds the limit of ${maxBytes} bytes`);
      chunks.push(buffer);
    }
  } catch (error) {
    // A client that goes away mid-body made a bad request; it is not a fault of the API.
    if (error instanceof AppError) throw error;
    throw new AppError("bad_request", "The request body was not received completely");
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** Media types of line-delimited JSON (one log per line). */
export const NDJSON_TYPES: readonly string[] = [
  "application/x-ndjson",
  "application/ndjson",
  "application/jsonl",
  "application/x-jsonl",
  "application/jsonlines",
  "application/x-jsonlines",
];

/** `Application/JSON; charset=utf-8` → `application/json`. */
export const mediaTypeOf = (contentType: string): string => (contentType.split(";")[0] ?? "").trim().toLowerCase();

/**
 * JSON value of the body; NDJSON bodies become an array of their lines' values. The media type
 * must be exactly JSON or NDJSON: no CORS-safelisted type (`text/plain; charset=json`, or none at
 * all) gets through, so a page on another site cannot post here without a preflight.
 */
export async function readJsonBody(ctx: Context, maxBytes: number): Promise<unknown> {
  const contentType = ctx.get("content-type");
  const mediaType = mediaTypeOf(contentType);
  if (mediaType !== "application/json" && !NDJSON_TYPES.includes(mediaType)) {
    const given = contentType === "" ? "A missing Content-Type" : `Content-Type ${contentType}`;
    throw new AppError(
      "unsupported_media_type",
      `${given} is not supported; send application/json or application/x-ndjson`,
    );
  }
  const text = await readRawBody(ctx, maxBytes);
  if (text.trim() === "") throw new AppError("bad_request", "Request body is empty; expected JSON");
  return mediaType === "application/json" ? parseJson(text, "body") : parseNdjson(text);
}

/** Values of the non-blank lines of an NDJSON text; a bad line is a 400 naming it. */
export function parseNdjson(text: string): unknown[] {
  return text.split("\n").flatMap((line, index) => (line.trim() === "" ? [] : [parseJson(line, `line ${index + 1}`)]));
}

function parseJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new AppError("bad_request", `Invalid JSON in ${where}: ${(error as Error).message}`);
  }
}
