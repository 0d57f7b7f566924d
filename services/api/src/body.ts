/**
 * Request bodies: read raw with a size limit (413), then parsed as JSON or NDJSON (400 on bad
 * syntax). Reading raw ourselves keeps the limit exact and the errors in our JSON format.
 */
import type { Context } from "koa";
import { AppError } from "@soc/shared";

export async function readRawBody(ctx: Context, maxBytes: number): Promise<string> {
  const declared = Number(ctx.get("content-length") || "0");
  if (declared > maxBytes) throw new AppError("payload_too_large", `Body is ${declared} bytes; the limit is ${maxBytes}`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > maxBytes) throw new AppError("payload_too_large", `Body exceeds the limit of ${maxBytes} bytes`);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

const isNdjson = (contentType: string): boolean => /application\/(x-)?ndjson|application\/jsonl/.test(contentType);

/** JSON value of the body; NDJSON bodies become an array of their lines' values. */
export async function readJsonBody(ctx: Context, maxBytes: number): Promise<unknown> {
  const contentType = ctx.get("content-type");
  if (contentType !== "" && !/json/.test(contentType)) {
    throw new AppError("unsupported_media_type", `Content-Type ${contentType} is not supported; send application/json or application/x-ndjson`);
  }
  const text = await readRawBody(ctx, maxBytes);
  if (text.trim() === "") throw new AppError("bad_request", "Request body is empty; expected JSON");
  if (isNdjson(contentType)) {
    return text.split("\n").flatMap((line, index) => (line.trim() === "" ? [] : [parseJson(line, `line ${index + 1}`)]));
  }
  return parseJson(text, "body");
}

function parseJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new AppError("bad_request", `Invalid JSON in ${where}: ${(error as Error).message}`);
  }
}
