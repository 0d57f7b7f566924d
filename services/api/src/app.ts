/**
 * The API as a Koa application. Handlers are thin: validate, call the store or the bus, shape the
 * response; errors become JSON in one middleware. `app.callback()` serves tests without a port.
 */
import cors from "@koa/cors";
import type Router from "@koa/router";
import Koa, { type Middleware } from "koa";
import { Counter, Histogram, LATENCY_BUCKETS, registerDependencyProbes, traceHttpRequest } from "@soc/shared/telemetry";
import { authenticate } from "./auth.ts";
import { createMemoryDecisionStore } from "./decisions/memory-store.ts";
import type { ApiDeps } from "./deps.ts";
import { errorResponses } from "./http-errors.ts";
import { docsRoutes } from "./routes/docs.ts";
import { API_ROUTES, MOUNTED_ROUTES } from "./routes/index.ts";
import { accessGuard, koaPath, routerOf } from "./routes/route.ts";

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
  app.use(function traceRequest(ctx, next) {
    return traceHttpRequest(ctx.req, ctx.res, next, () => (ctx as { _matchedRoute?: string })._matchedRoute);
  });
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
  const logsAccepted = new Counter({
    name: "logs_accepted_total",
    help: "Logs acknowledged by Kafka and answered 200",
    registers: [deps.registry],
  });
  registerDependencyProbes(deps.registry, deps.readinessChecks);

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

  for (const router of [
    docsRoutes(),
    routerOf(API_ROUTES, { deps, logsAccepted, decisions: deps.decisions ?? createMemoryDecisionStore() }),
  ]) {
    app.use(router.routes()).use(router.allowedMethods({ throw: false }));
  }
  for (const router of deps.readRoutes ?? []) app.use(mounted(router));
  return app;
}

/**
 * Mounts another package's router. Each of its routes must be in MOUNTED_ROUTES, so it is
 * documented, and demands the access documented there before it runs.
 */
function mounted(router: Router): Middleware {
  const guards = new Map<string, Middleware>();
  for (const layer of router.stack) {
    for (const method of layer.methods) {
      // koa serves HEAD with every GET.
      const documented = method === "HEAD" ? "get" : method.toLowerCase();
      const route = MOUNTED_ROUTES.find(
        (candidate) => koaPath(candidate.path) === layer.path && candidate.method === documented,
      );
      if (route === undefined)
        throw new Error(
          `${documented.toUpperCase()} ${layer.path} is not in the API's route list (routes/index.ts): document it there before mounting it`,
        );
      guards.set(`${method} ${layer.path}`, accessGuard(route.access));
    }
  }
  const routes = router.routes();
  return async function documentedRoutes(ctx, next) {
    const layer = router.match(ctx.path, ctx.method).pathAndMethod[0];
    const guard = layer === undefined ? undefined : guards.get(`${ctx.method} ${layer.path}`);
    if (guard === undefined) return next();
    return guard(ctx, () => routes(ctx as Parameters<typeof routes>[0], next));
  };
}
