/** POST /logs: validate, then publish to Kafka and answer only once it acknowledged. */
import Router from "@koa/router";
import { injectTraceHeaders, TOPICS, type LogMessage } from "@soc/shared";
import type { Counter } from "prom-client";
import { requireRole } from "../auth.ts";
import { readJsonBody } from "../body.ts";
import type { ApiDeps } from "../deps.ts";
import { logBatchSchema, logSubmissionSchema } from "../schemas.ts";

/** Turns a validated submission (one object or a batch) into `logs` topic messages. */
export function toLogMessages(body: unknown, nowMs: number): { messages: LogMessage[]; batch: boolean } {
  const batch = Array.isArray(body);
  const submissions = batch ? logBatchSchema.parse(body) : [logSubmissionSchema.parse(body)];
  const messages = submissions.map((submission) => ({
    message: submission.message,
    timestamp: submission.timestamp ?? nowMs / 1000,
    ...(submission.source !== undefined ? { source: submission.source } : {}),
    received_at: nowMs,
  }));
  return { messages, batch };
}

export function logRoutes(deps: ApiDeps, logsAccepted: Counter): Router {
  const now = deps.now ?? Date.now;
  const router = new Router();
  router.post("/logs", requireRole("ingest"), async (ctx) => {
    const { messages, batch } = toLogMessages(await readJsonBody(ctx, deps.maxBodyBytes), now());
    const headers = injectTraceHeaders();
    await deps.bus.publish(
      (deps.topics ?? TOPICS).logs,
      messages.map((message) => ({ key: null, value: JSON.stringify(message), headers })),
    );
    logsAccepted.inc(messages.length);
    ctx.body = batch ? { status: "Logs submitted successfully", accepted: messages.length } : { status: "Log submitted successfully" };
  });
  return router;
}
