/** Health, readiness, metrics, pipeline status, stats, identity, and the reports another package serves. */
import { z } from "zod";
import { bucketSecondsFor, TOPICS } from "@soc/shared";
import { runChecks } from "@soc/shared/telemetry";
import { holdsRole } from "../auth.ts";
import {
  healthSchema,
  monthlyReportQuerySchema,
  pipelineSchema,
  readinessSchema,
  statsQuerySchema,
  statsSchema,
  whoamiSchema,
} from "../schemas.ts";
import { defineRoute, type MountedRoute } from "./route.ts";

const tag = "operations";
/** Hourly, as the timeline always was when no range is given. */
const DEFAULT_STATS_BUCKET_SECONDS = 3600;

export const operationRoutes = [
  defineRoute({
    method: "get",
    path: "/healthz",
    operationId: "liveness",
    tag,
    summary: "Liveness.",
    access: "public",
    response: { description: "Alive", schema: healthSchema },
    handle: () => ({ status: "ok" as const }),
  }),
  // Anonymous probes learn only ready or not; which dependency failed, and why, is for the read
  // role and the log.
  defineRoute({
    method: "get",
    path: "/readyz",
    operationId: "readiness",
    tag,
    summary: "Readiness: Kafka, Elasticsearch and Redis reachable (which check failed, with the read role only).",
    access: "public",
    response: { description: "Ready", schema: readinessSchema },
    alternative: { status: 503, description: "Not ready" },
    async handle(_request, ctx, { deps }) {
      const result = await runChecks(deps.readinessChecks);
      if (!result.ready) deps.logger.warn({ checks: result.components }, "not ready");
      ctx.status = result.ready ? 200 : 503;
      return {
        status: result.ready ? ("ready" as const) : ("not ready" as const),
        ...(holdsRole(ctx.state, "read") ? { checks: result.components } : {}),
      };
    },
  }),
  // Detection counters would tell an attacker whether they were noticed.
  defineRoute({
    method: "get",
    path: "/metrics",
    operationId: "metrics",
    tag,
    summary: "Prometheus metrics.",
    access: "read",
    response: { description: "Metrics in the Prometheus text format", schema: z.string(), contentType: "text/plain" },
    async handle(_request, ctx, { deps }) {
      ctx.type = deps.registry.contentType;
      return deps.registry.metrics();
    },
  }),
  defineRoute({
    method: "get",
    path: "/auth/whoami",
    operationId: "whoami",
    tag: "auth",
    summary: "The role of the presented API key.",
    access: "any-key",
    response: { description: "Role", schema: whoamiSchema },
    handle: (_request, ctx) => ({ role: ctx.state.role as string }),
  }),
  defineRoute({
    method: "get",
    path: "/pipeline",
    operationId: "pipelineHealth",
    tag,
    summary: "Health of the pipeline's components and the worker's consumer lag.",
    access: "read",
    response: { description: "Health", schema: pipelineSchema },
    async handle(_request, _ctx, { deps }) {
      const [health, lag] = await Promise.all([
        runChecks(deps.readinessChecks),
        deps.bus.lag(deps.workerGroupId, (deps.topics ?? TOPICS).logs).then(
          (partitions) => partitions.reduce((sum, partition) => sum + partition.lag, 0),
          () => null,
        ),
      ]);
      return { ...health, consumer_lag: lag, whitelist_size: deps.whitelist.size };
    },
  }),
  defineRoute({
    method: "get",
    path: "/stats",
    operationId: "stats",
    tag,
    summary: "Overview figures for the dashboard: totals, alerts by rule, status and source IP, and alerts over time.",
    access: "read",
    query: statsQuerySchema,
    response: { description: "Stats", schema: statsSchema },
    async handle({ query: { from, to, top, bucket_seconds } }, _ctx, { deps }) {
      const bucketSeconds =
        bucket_seconds ??
        (from !== undefined && to !== undefined ? bucketSecondsFor(to - from) : DEFAULT_STATS_BUCKET_SECONDS);
      const stats = await deps.store.stats({
        bucketSeconds,
        topIps: top,
        ...(from !== undefined ? { from } : {}),
        ...(to !== undefined ? { to } : {}),
      });
      return { ...stats, bucket_seconds: bucketSeconds };
    },
  }),
];

/** Served by @soc/reporter's router, which validates the month itself (ApiDeps.readRoutes). */
export const reportRoute: MountedRoute = {
  method: "get",
  path: "/reports/monthly.pdf",
  operationId: "monthlyReport",
  tag: "reports",
  summary: "Monthly security report as PDF.",
  access: "read",
  query: monthlyReportQuerySchema,
  response: { description: "PDF", contentType: "application/pdf" },
};
