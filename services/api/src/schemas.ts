/**
 * Every request the API accepts, as zod schemas. The same schemas validate requests at the edge
 * and generate /openapi.json, so the document cannot drift from the behaviour.
 */
import { z } from "zod";
import {
  alertStatusSchema,
  bucketCount,
  clientEnrichmentSchema,
  DETECTION_RULES,
  eventTime,
  ipAddress,
  MAX_MESSAGE_CHARS,
  MAX_TIMELINE_BUCKETS,
  processedLogSchema,
  whitelistEntry,
} from "@soc/shared";

export const MAX_BATCH_LOGS = 10_000;

export const logSubmissionSchema = z
  .object({
    message: z.string().min(1).max(MAX_MESSAGE_CHARS).describe("The raw log line."),
    timestamp: eventTime
      .optional()
      .describe("Event time: epoch seconds or RFC 3339. Detection windows use it. Default: now."),
    source: z.string().min(1).max(128).optional().describe("Where the log came from, e.g. 'nginx' or 'sshd'."),
  })
  .meta({ id: "LogSubmission" });

export const logBatchSchema = z.array(logSubmissionSchema).min(1).max(MAX_BATCH_LOGS).meta({ id: "LogBatch" });

/** POST /logs: one log or a batch. */
export const logBodySchema = z.union([logSubmissionSchema, logBatchSchema]);
export type LogBody = z.output<typeof logBodySchema>;

export const commaSeparated = <T extends z.ZodType<unknown, string>>(item: T) =>
  z
    .string()
    .transform((s) =>
      s
        .split(",")
        .map((part) => part.trim())
        .filter((part) => part !== ""),
    )
    .pipe(z.array(item).min(1));

export const queryTime = z.union([
  z.coerce.number().finite().nonnegative(),
  z.iso.datetime({ offset: true }).transform((s) => Date.parse(s) / 1000),
]);

export const alertQuerySchema = z.object({
  is_anomaly: z
    .enum(["true", "false"])
    .transform((s) => s === "true")
    .optional()
    .describe("true for alerts, false for normal logs; omitted for both."),
  status: commaSeparated(alertStatusSchema).optional().describe("Comma-separated statuses."),
  rule: commaSeparated(z.enum(DETECTION_RULES))
    .optional()
    .describe("Comma-separated detection rules (the reason code)."),
  reason: commaSeparated(z.enum(DETECTION_RULES)).optional().describe("Alias of rule."),
  source_ip: ipAddress.optional(),
  from: queryTime.optional().describe("Earliest event time, epoch seconds or RFC 3339."),
  to: queryTime.optional().describe("Latest event time, epoch seconds or RFC 3339."),
  q: z.string().min(1).max(256).optional().describe("Words the message must contain."),
  incident_id: z.string().min(1).max(512).optional().describe("Only the alerts of this incident."),
  size: z.coerce.number().int().min(1).max(1000).default(100),
  cursor: z.string().min(1).max(512).optional().describe("X-Next-Cursor of the previous page."),
});

export const statusUpdateSchema = z.object({ status: alertStatusSchema }).meta({ id: "StatusUpdate" });

export const bulkStatusUpdateSchema = z
  .object({ ids: z.array(z.string().min(1).max(256)).min(1).max(1000), status: alertStatusSchema })
  .meta({ id: "BulkStatusUpdate" });

export const whitelistAddSchema = z
  .object({ ip: whitelistEntry.describe("IPv4/IPv6 address or CIDR block, at most /8 (IPv4) or /32 (IPv6) wide.") })
  .meta({ id: "WhitelistAdd" });

export const statsQuerySchema = z
  .object({
    from: queryTime.optional().describe("Earliest event time, epoch seconds or RFC 3339."),
    to: queryTime
      .optional()
      .describe(
        "Latest event time, epoch seconds or RFC 3339. With both from and to, the timeline has every bucket of the range, empty ones with 0.",
      ),
    bucket_seconds: z.coerce
      .number()
      .int()
      .min(60)
      .max(31 * 86_400)
      .optional()
      .describe(
        "Width of a timeline bucket. Default: with from and to, chosen from the range (1 h: 60, 1 d: 3600, 7 d: 21600, 30 d: 86400); otherwise 3600.",
      ),
    top: z.coerce.number().int().min(1).max(100).default(10),
  })
  .superRefine(({ from, to, bucket_seconds }, ctx) => {
    if (from === undefined || to === undefined) return;
    if (from > to) ctx.addIssue({ code: "custom", path: ["to"], message: "must not be before from" });
    else if (
      bucket_seconds !== undefined &&
      bucketCount({ from, to, bucketSeconds: bucket_seconds }) > MAX_TIMELINE_BUCKETS
    )
      ctx.addIssue({
        code: "custom",
        path: ["bucket_seconds"],
        message: `gives more than ${MAX_TIMELINE_BUCKETS} buckets over from..to: widen the buckets or narrow the range`,
      });
  });

export const monthlyReportQuerySchema = z.object({
  month: z
    .string()
    .regex(/^\d{4}-(0[1-9]|1[0-2])$/)
    .describe("YYYY-MM"),
});

export const statusMessageSchema = z.object({ status: z.string() }).meta({ id: "StatusMessage" });
export const logsSubmittedSchema = z
  .object({
    status: z.string(),
    accepted: z.number().int().optional().describe("How many logs of the batch were accepted; batches only."),
  })
  .meta({ id: "LogsSubmitted" });
export const alertPageHeadersSchema = z.object({
  "X-Total-Count": z.string().regex(/^\d+$/).describe("How many alerts match the filters, on every page."),
  "X-Next-Cursor": z.string().optional().describe("Pass as `cursor` for the next page; absent on the last page."),
});
export const healthSchema = z.object({ status: z.literal("ok") }).meta({ id: "Health" });
export const readinessSchema = z
  .object({
    status: z.enum(["ready", "not ready"]),
    checks: z
      .record(z.string(), z.string())
      .optional()
      .describe('Each dependency\'s check: "ok" or why it failed. Only for the read role.'),
  })
  .meta({ id: "Readiness" });
export const errorSchema = z.object({ detail: z.string(), code: z.string() }).meta({ id: "Error" });
export const processedLogResponseSchema = processedLogSchema.meta({ id: "ProcessedLog" });
export const bulkStatusResultSchema = z
  .object({ updated: z.number().int(), not_found: z.array(z.string()) })
  .meta({ id: "BulkStatusResult" });
export const whitelistEntrySchema = z
  .object({
    ip: z.string(),
    owner: z
      .string()
      .describe(
        'Who manages the entry: "api", or "IpWhitelist <namespace>/<name>" (managed in Git; the API refuses to change it).',
      ),
  })
  .meta({ id: "WhitelistEntry" });
export const whitelistSchema = z
  .object({
    whitelisted_ips: z.array(z.string()),
    entries: z.array(whitelistEntrySchema).describe("The same entries with their owner."),
  })
  .meta({ id: "Whitelist" });
export const statsSchema = z
  .object({
    total: z.number().int(),
    anomalies: z.number().int(),
    by_rule: z.record(z.string(), z.number().int()),
    by_status: z.record(z.string(), z.number().int()),
    top_source_ips: z.array(
      z.object({
        ip: z.string(),
        count: z.number().int(),
        client: clientEnrichmentSchema
          .optional()
          .describe(
            "Where the address is (country, AS, or private network), from its newest enriched alert; absent when none says.",
          ),
      }),
    ),
    timeline: z
      .array(z.object({ t: z.number(), count: z.number().int() }))
      .describe("Anomalies per bucket, oldest first; t is the bucket's start (epoch seconds)."),
    bucket_seconds: z.number().int().describe("Width of the timeline's buckets."),
  })
  .meta({ id: "Stats" });
export const pipelineSchema = z
  .object({
    ready: z.boolean(),
    components: z.record(z.string(), z.string()),
    consumer_lag: z.number().int().nullable(),
    whitelist_size: z.number().int(),
  })
  .meta({ id: "PipelineHealth" });
export const whoamiSchema = z.object({ role: z.string() }).meta({ id: "WhoAmI" });
