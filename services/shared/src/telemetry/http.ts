/**
 * HTTP spans after the OpenTelemetry HTTP semantic conventions, made by our own code rather than
 * module patching (which the ESM services load too early for): a SERVER span per request, named
 * `<METHOD> <route>` once the router knows the route, and a CLIENT span around an outgoing fetch.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import { recordFailure } from "./tracing.ts";

const KNOWN_METHODS = new Set(["CONNECT", "DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT", "TRACE"]);
/** Probes and scrapes: traced, they would bury the requests people look for. */
const UNTRACED_PATHS = new Set(["/healthz", "/readyz", "/metrics"]);

const tracerOf = () => trace.getTracer("soc-http");
const methodOf = (method: string | undefined): string =>
  method !== undefined && KNOWN_METHODS.has(method) ? method : "_OTHER";

/**
 * Handles one request in a SERVER span, child of the caller's `traceparent` when it sent one; named
 * `<METHOD> <route>` after the route template `routeOf` gives (`POST /logs`) and ended when the
 * response closes.
 */
export async function traceHttpRequest(
  request: IncomingMessage,
  response: ServerResponse,
  handle: () => Promise<void>,
  routeOf: () => string | undefined,
): Promise<void> {
  const path = (request.url ?? "/").split("?")[0] ?? "/";
  if (UNTRACED_PATHS.has(path)) return handle();
  const method = methodOf(request.method);
  const parent = propagation.extract(ROOT_CONTEXT, request.headers);
  const span = tracerOf().startSpan(
    method,
    {
      kind: SpanKind.SERVER,
      attributes: {
        "http.request.method": method,
        // The path only: a query string may carry what does not belong in a trace store.
        "url.path": path,
        "url.scheme": "encrypted" in request.socket && request.socket.encrypted === true ? "https" : "http",
        "network.protocol.version": request.httpVersion,
        ...(request.headers["user-agent"] !== undefined
          ? { "user_agent.original": request.headers["user-agent"] }
          : {}),
      },
    },
    parent,
  );
  response.once("close", () => {
    // Named here, not after `handle`: a response ended synchronously closes before that resolves.
    const route = routeOf();
    if (route !== undefined) {
      span.setAttribute("http.route", route);
      span.updateName(`${method} ${route}`);
    }
    span.setAttribute("http.response.status_code", response.statusCode);
    if (!response.writableFinished) span.setAttribute("error.type", "aborted");
    if (response.statusCode >= 500) {
      span.setAttribute("error.type", String(response.statusCode));
      span.setStatus({ code: SpanStatusCode.ERROR });
    }
    span.end();
  });
  await context.with(trace.setSpan(parent, span), handle);
}

/**
 * fetch in a CLIENT span. The span records the server's address, never the URL: webhook URLs are
 * secrets. No trace context is sent: the receivers are third parties.
 */
export async function tracedFetch(url: string, init: RequestInit & { method: string }): Promise<Response> {
  const target = new URL(url);
  const method = methodOf(init.method);
  const port = target.port !== "" ? Number(target.port) : target.protocol === "https:" ? 443 : 80;
  return tracerOf().startActiveSpan(
    method,
    {
      kind: SpanKind.CLIENT,
      attributes: {
        "http.request.method": method,
        "server.address": target.hostname,
        "server.port": port,
        "url.scheme": target.protocol.replace(/:$/, ""),
      },
    },
    async (span) => {
      try {
        const response = await fetch(url, init);
        span.setAttribute("http.response.status_code", response.status);
        if (response.status >= 400) {
          span.setAttribute("error.type", String(response.status));
          span.setStatus({ code: SpanStatusCode.ERROR });
        }
        return response;
      } catch (error) {
        span.setAttribute("error.type", error instanceof Error ? error.name : "Error");
        recordFailure(span, error);
        throw error;
      } finally {
        span.end();
      }
    },
  );
}
