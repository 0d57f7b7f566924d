/**
 * The API as a Koa application. Handlers are thin: validate, call the store or the bus, shape the
 * response; errors become JSON in one middleware. `app.callback()` serves tests without a port.
 */
import cors from "@koa/cors";
import type Router from "@koa/router";
import Koa, { type Middleware } from "koa";
import { Counter, Histogram, LATENCY_BUCKETS } from "@soc/shared";
import { authenticate, requireRole, type Role } from "./auth.ts";
import type { ApiDeps } from "./deps.ts";
import { errorResponses } from "./http-errors.ts";
import { alertRoutes } from "./routes/alerts.ts";
import { logRoutes } from "./routes/logs.ts";
import { operationRoutes } from "./routes/operations.ts";
import { whitelistRoutes } from "./routes/whitelist.ts";

/**
 * Every answer, errors included: the API serves data, never pages (except /docs, which sets its
 * own policy), so nothing may run, load, frame it or be sniffed into a script.
 */
export const SECURITY_HEADERS = {
  "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "no-referrer",
  "X-Frame-Options": "DENY",
} as const;

export function createApp(deps: ApiDeps): Koa {
  const app = new Koa();
  app.proxy = true;
  app.use(async function securityHeaders(ctx, next) {
    ctx.set(SECURITY_HEADERS);
    await next();
  });
  const requests = new Histogram({
    name: "http_request_duration_seconds",
    help: "HTTP request latency by route and status",
    labelNames: ["method", "route", "status"],
    buckets: LATENCY_BUCKETS,
    registers: [deps.registry],
  });
  const logsAccepted = new Counter({ name: "logs_accepted_total", help: "Logs acknowledged by Kafka and answered 200", registers: [deps.registry] });

  app.use(async function measureRequest(ctx, next) {
    const stop = requests.startTimer({ method: ctx.method });
    try {
      await next();
    } finally {
      const route = (ctx as { _matchedRoute?: string })._matchedRoute ?? "unmatched";
      stop({ route: String(route), status: String(ctx.status) });
    }
  });
  app.use(
    cors({
      origin: (ctx) => {
        const origin = ctx.get("origin");
        return deps.frontendOrigins.includes(origin) || deps.frontendOrigins.includes("*") ? origin : "";
      },
      allowMethods: ["GET", "POST", "PATCH", "DELETE", "OPTIONS"],
      allowHeaders: ["Authorization", "Content-Type", "X-API-Key", "traceparent"],
      exposeHeaders: ["X-Total-Count", "X-Next-Cursor", "Retry-After"],
      maxAge: 600,
    }),
  );
  app.use(errorResponses(deps.logger));
  app.use(authenticate(deps.access));

  for (const router of [operationRoutes(deps), logRoutes(deps, logsAccepted), alertRoutes(deps), whitelistRoutes(deps)]) {
    app.use(router.routes()).use(router.allowedMethods({ throw: false }));
  }
  for (const router of deps.readRoutes ?? []) app.use(behindRole("read", router));
  return app;
}

/** Mounts another package's router so its routes demand a role before they run. */
function behindRole(role: Role, router: Router): Middleware {
  const guard = requireRole(role);
  const routes = router.routes();
  return async function guardedRoutes(ctx, next) {
    if (!router.match(ctx.path, ctx.method).route) return next();
    return guard(ctx, () => routes(ctx as Parameters<typeof routes>[0], next));
  };
}
