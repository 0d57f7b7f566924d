/** Health, readiness, metrics, pipeline status, stats, identity, and the API's own documentation. */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import Router from "@koa/router";
import swaggerUiDist from "swagger-ui-dist";
import { TOPICS } from "@soc/shared";
import { holdsRole, requireRole } from "../auth.ts";
import type { ApiDeps } from "../deps.ts";
import { openApiDocument } from "../openapi.ts";
import { statsQuerySchema } from "../schemas.ts";

const CHECK_TIMEOUT_MS = 3_000;

/** Runs every readiness check at once; a check's error text is its status. */
export async function runChecks(checks: Record<string, () => Promise<void>>): Promise<{ ready: boolean; components: Record<string, string> }> {
  const entries = await Promise.all(
    Object.entries(checks).map(async ([name, check]) => {
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          check(),
          new Promise((_, reject) => {
            timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
          }),
        ]);
        return [name, "ok"] as const;
      } catch (error) {
        return [name, (error as Error).message] as const;
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  return { ready: entries.every(([, status]) => status === "ok"), components: Object.fromEntries(entries) };
}

const DOCS_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>SOC Pipeline API</title>
<link rel="stylesheet" href="/docs/assets/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script src="/docs/assets/swagger-initializer-soc.js"></script></body></html>`;

// A file, not an inline script, so the page's CSP needs no 'unsafe-inline'. The key typed into
// "Authorize" is not persisted, and no spec is sent to the public validator.
const DOCS_INITIALIZER = `window.ui = SwaggerUIBundle({ url: "/openapi.json", dom_id: "#swagger-ui", persistAuthorization: false, validatorUrl: null });`;
/**
 * Swagger UI loads only its own files from here, its CSS embeds data: images, and "Try it out"
 * calls this origin. Every other answer of the API keeps the strict default of app.ts.
 */
export const DOCS_CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
const DOCS_ASSETS = new Set(["swagger-ui.css", "swagger-ui-bundle.js"]);

export function operationRoutes(deps: ApiDeps): Router {
  const router = new Router();
  const document = openApiDocument();

  router.get("/healthz", (ctx) => {
    ctx.body = { status: "ok" };
  });

  // Anonymous probes learn only ready or not; which dependency failed, and why, is for the read
  // role and the log.
  router.get("/readyz", async (ctx) => {
    const result = await runChecks(deps.readinessChecks);
    if (!result.ready) deps.logger.warn({ checks: result.components }, "not ready");
    ctx.status = result.ready ? 200 : 503;
    ctx.body = { status: result.ready ? "ready" : "not ready", ...(holdsRole(ctx.state, "read") ? { checks: result.components } : {}) };
  });

  // Detection counters would tell an attacker whether they were noticed.
  router.get("/metrics", requireRole("read"), async (ctx) => {
    ctx.type = deps.registry.contentType;
    ctx.body = await deps.registry.metrics();
  });

  router.get("/openapi.json", (ctx) => {
    ctx.body = document;
  });

  router.get("/docs", (ctx) => {
    ctx.set("Content-Security-Policy", DOCS_CSP);
    ctx.type = "html";
    ctx.body = DOCS_PAGE;
  });

  router.get("/docs/assets/:file", async (ctx) => {
    const file = ctx.params.file ?? "";
    if (file === "swagger-initializer-soc.js") {
      ctx.type = "application/javascript";
      ctx.body = DOCS_INITIALIZER;
      return;
    }
    if (!DOCS_ASSETS.has(file)) return;
    ctx.type = file.endsWith(".css") ? "text/css" : "application/javascript";
    ctx.set("Cache-Control", "public, max-age=86400");
    ctx.body = await readFile(join(swaggerUiDist.getAbsoluteFSPath(), file));
  });

  router.get("/auth/whoami", requireRole("ingest"), (ctx) => {
    ctx.body = { role: ctx.state.role as string };
  });

  router.get("/pipeline", requireRole("read"), async (ctx) => {
    const [health, lag] = await Promise.all([
      runChecks(deps.readinessChecks),
      deps.bus.lag(deps.workerGroupId, (deps.topics ?? TOPICS).logs).then(
        (partitions) => partitions.reduce((sum, partition) => sum + partition.lag, 0),
        () => null,
      ),
    ]);
    ctx.body = { ...health, consumer_lag: lag, whitelist_size: deps.whitelist.size };
  });

  router.get("/stats", requireRole("read"), async (ctx) => {
    const query = statsQuerySchema.parse(ctx.query);
    ctx.body = await deps.store.stats({
      bucketSeconds: query.bucket_seconds,
      topIps: query.top,
      ...(query.from !== undefined ? { from: query.from } : {}),
      ...(query.to !== undefined ? { to: query.to } : {}),
    });
  });

  return router;
}
