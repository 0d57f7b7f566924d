/** POST /logs: validate, then publish to Kafka and answer only once it acknowledged. */
import { TOPICS, type LogMessage } from "@soc/shared";
import { logBatchSchema, logBodySchema, logsSubmittedSchema, logSubmissionSchema, type LogBody } from "../schemas.ts";
import { defineRoute } from "./route.ts";

/** One log or a batch, checked by the schema the body's shape picks: a 400 then names the field at fault. */
export const parseLogBody = (body: unknown): LogBody =>
  Array.isArray(body) ? logBatchSchema.parse(body) : logSubmissionSchema.parse(body);

/** Turns a validated submission (one object or a batch) into `logs` topic messages. */
export function toLogMessages(body: LogBody, nowMs: number): LogMessage[] {
  return (Array.isArray(body) ? body : [body]).map((submission) => ({
    message: submission.message,
    timestamp: submission.timestamp ?? nowMs / 1000,
    ...(submission.source !== undefined ? { source: submission.source } : {}),
    received_at: nowMs,
  }));
}

export const logRoutes = [
  defineRoute({
    method: "post",
    path: "/logs",
    operationId: "submitLogs",
    tag: "logs",
    summary: "Submit a log, or a batch (JSON array or NDJSON). Answered only after Kafka acknowledged it.",
    access: "ingest",
    body: {
      schema: logBodySchema,
      description:
        "One log, a batch as a JSON array, or NDJSON (application/x-ndjson or application/jsonl): one log per line.",
      ndjsonLine: logSubmissionSchema,
      parse: parseLogBody,
    },
    response: { description: "Accepted", schema: logsSubmittedSchema },
    errors: [503],
    async handle({ body }, _ctx, { deps, logsAccepted }) {
      const messages = toLogMessages(body, (deps.now ?? Date.now)());
      // The bus gives each message its send span's trace context (traceparent header).
      await deps.bus.publish(
        (deps.topics ?? TOPICS).logs,
        messages.map((message) => ({ key: null, value: JSON.stringify(message) })),
      );
      logsAccepted.inc(messages.length);
      return Array.isArray(body)
        ? { status: "Logs submitted successfully", accepted: messages.length }
        : { status: "Log submitted successfully" };
    },
  }),
];
