/**
 * The one place that turns thrown values into the JSON error body `{detail, code}` (FastAPI's
 * `detail` key, so clients of the original contract keep working) and a status code. Handlers only throw AppError.
 */
import type { Middleware } from "koa";
import { z } from "zod";
import { AppError, BusUnavailableError, type Logger } from "@soc/shared";

export function describeZodError(error: z.ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.length > 0 ? issue.path.join(".") : "body"}: ${issue.message}`)
    .join("; ");
}

export function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  if (error instanceof z.ZodError) return new AppError("bad_request", describeZodError(error));
  if (error instanceof BusUnavailableError) {
    return new AppError("unavailable", "The log bus is unavailable; nothing was accepted. Retry later.", {
      retryAfterSeconds: 5,
      cause: error,
    });
  }
  return new AppError("internal", "Internal server error", { cause: error });
}

export function errorResponses(logger: Logger): Middleware {
  return async function renderErrors(ctx, next) {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined)
        throw new AppError("not_found", `No route for ${ctx.method} ${ctx.path}`);
      // The routers' allowedMethods answer 405 with a bare status; callers get the usual JSON.
      if (ctx.status === 405 && ctx.body == null)
        ctx.body = {
          detail: `${ctx.method} is not allowed on ${ctx.path}; use ${ctx.response.get("Allow")}`,
          code: "method_not_allowed",
        };
    } catch (thrown) {
      const error = toAppError(thrown);
      if (error.code === "internal" || error.code === "unavailable")
        logger.error({ err: error.cause ?? error, path: ctx.path }, error.message);
      ctx.status = error.status;
      if (error.extra.retryAfterSeconds !== undefined) ctx.set("Retry-After", String(error.extra.retryAfterSeconds));
      ctx.body = { detail: error.message, code: error.code };
    }
  };
}
