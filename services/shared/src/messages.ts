/**
 * The data contracts of the pipeline: what travels on each topic and what is stored.
 * The original contract's shapes (docs/contract.md) are kept exactly; every addition is optional so old producers still validate.
 */
import { z } from "zod";
import { cidrOrIp, ipAddress, whitelistEntry } from "./whitelist/entry.ts";
import { whitelistOwner } from "./whitelist/owner.ts";

/** Names of the pipeline's topics; the defaults are the original contract's (docs/contract.md), a deployment may choose others. */
export interface PipelineTopics {
  logs: string;
  configUpdates: string;
  highPriorityAlerts: string;
}

export const TOPICS = {
  logs: "logs",
  configUpdates: "config-updates",
  highPriorityAlerts: "high-priority-alerts",
} as const satisfies PipelineTopics;

/** Dead-letter topic for a topic: malformed messages go here with the reason, never lost. */
export const deadLetterTopic = (topic: string): string => `${topic}-dlq`;

/**
 * Latest event time accepted, 9999-12-31T23:59:59Z: beyond ~2.4e19 s adding a minute no longer changes
 * a float, and windows keyed by minute would never end.
 */
export const MAX_EVENT_TIME_SECONDS = 253_402_300_799;

/** Event time in epoch seconds (fractions allowed), from 1970 to the end of year 9999. */
export const epochSeconds = z.number().finite().nonnegative().max(MAX_EVENT_TIME_SECONDS);

/** Event time as epoch seconds, or an RFC 3339 string at the edge (held to the same range). */
export const eventTime = z.union([
  epochSeconds,
  z.iso
    .datetime({ offset: true })
    .transform((s) => Date.parse(s) / 1000)
    .pipe(epochSeconds),
]);

export const MAX_MESSAGE_CHARS = 65_536;
export const MAX_ENDPOINT_CHARS = 2048;

const ecsName = z.string().min(1).max(255);
const syslogCode = (max: number) => z.object({ code: z.number().int().min(0).max(max), name: z.string().max(32) });

/**
 * ECS fields of the sending host and program, where the source names them (syslog). Each block is
 * dropped when malformed, never the log.
 */
const ecsLogFields = {
  host: z.object({ name: ecsName }).optional().catch(undefined),
  process: z
    .object({ name: ecsName.optional(), pid: z.number().int().nonnegative().optional() })
    .optional()
    .catch(undefined),
  log: z
    .object({
      /** Address of the peer the log was received from (a relay, or the host itself). */
      source: z.object({ address: z.string().max(64) }).optional(),
      syslog: z
        .object({
          priority: z.number().int().min(0).max(191),
          facility: syslogCode(23),
          severity: syslogCode(7),
          version: z.number().int().optional(),
          hostname: ecsName.optional(),
          appname: ecsName.optional(),
          procid: ecsName.optional(),
          msgid: ecsName.optional(),
          structured_data: z.record(z.string(), z.record(z.string(), z.string())).optional(),
        })
        .optional(),
    })
    .optional()
    .catch(undefined),
  /** ECS tags, e.g. `truncated` when the sender's message was cut to the size limit. */
  tags: z.array(z.string().min(1).max(64)).max(16).optional().catch(undefined),
};

/** `logs` topic: `{message}` (docs/contract.md) plus optional event time, source and structured fields. */
export const logMessageSchema = z.object({
  message: z.string().min(1).max(MAX_MESSAGE_CHARS),
  timestamp: epochSeconds.optional(),
  source: z.string().min(1).max(128).optional(),
  /** Client IP when the source reports it apart from the text (proxies, log drains); a malformed one is dropped, not the log. */
  source_ip: ipAddress.optional().catch(undefined),
  /** Request path when known, for the per-endpoint traffic-spike rule; a longer one is cut, never the reason to lose the log. */
  endpoint: z
    .string()
    .transform((endpoint) => endpoint.slice(0, MAX_ENDPOINT_CHARS))
    .optional(),
  /** Time the pipeline accepted the log (epoch ms); used for end-to-end latency. */
  received_at: z.number().finite().optional(),
  ...ecsLogFields,
});
export type LogMessage = z.infer<typeof logMessageSchema>;

/**
 * `config-updates` topic (docs/contract.md), keyed by the IP or CIDR so compaction keeps the latest action.
 * An `add` must pass the shared entry rule (a forged `0.0.0.0/0` is dead-lettered, never applied);
 * a `remove` of any valid block is accepted so an entry added before the rule can still be removed.
 * `owner` says who manages the entry (`api` or `IpWhitelist <namespace>/<name>`); a message
 * without it counts as `api`, so older producers still validate.
 */
export const configUpdateSchema = z.discriminatedUnion("action", [
  z.object({ action: z.literal("add"), ip: whitelistEntry, owner: whitelistOwner.optional() }),
  z.object({ action: z.literal("remove"), ip: cidrOrIp, owner: whitelistOwner.optional() }),
]);
export type ConfigUpdate = z.infer<typeof configUpdateSchema>;

export const ALERT_STATUSES = ["new", "acknowledged", "resolved", "false_positive"] as const;
export const alertStatusSchema = z.enum(ALERT_STATUSES);
export type AlertStatus = z.infer<typeof alertStatusSchema>;
/** Statuses that close an incident, for time-to-resolve. */
export const CLOSED_STATUSES: readonly AlertStatus[] = ["resolved", "false_positive"];

/** Machine-readable reason code beside the human `reason` sentence. */
export const DETECTION_RULES = [
  "whitelist",
  "brute_force",
  "traffic_spike",
  "keyword",
  "pattern_rate",
  "new_pattern",
] as const;
export type DetectionRule = (typeof DETECTION_RULES)[number];

/**
 * How much an anomaly asks of an analyst, least first. Only `high-priority-alerts` notifies anyone;
 * on a document the severity orders and filters what the dashboard shows.
 */
export const ANOMALY_SEVERITIES = ["info", "low", "medium", "high", "critical"] as const;
export type AnomalySeverity = (typeof ANOMALY_SEVERITIES)[number];

/** Orders severities: a higher rank asks more of an analyst. */
export const severityRank = (severity: AnomalySeverity): number => ANOMALY_SEVERITIES.indexOf(severity);

/**
 * Kinds of address that are never looked up: nobody outside the owner's network can be there
 * (private, loopback, link-local, carrier-grade NAT `shared`, unique-local), or no host ever sends
 * from it (documentation, multicast, unspecified, otherwise reserved).
 */
export const NETWORK_SCOPES = [
  "private",
  "loopback",
  "link_local",
  "shared",
  "documentation",
  "unique_local",
  "multicast",
  "unspecified",
  "reserved",
] as const;
export type NetworkScope = (typeof NETWORK_SCOPES)[number];

/**
 * Where the source address is, as ECS `client.geo` and `client.as` (the contract's `source` is
 * already the log source's name, so ECS `source.*` cannot nest there); `network` instead of both
 * when the address is private or reserved.
 */
export const clientEnrichmentSchema = z.object({
  geo: z
    .object({ country_iso_code: z.string().regex(/^[A-Z]{2}$/), country_name: z.string().min(1).max(128).optional() })
    .optional(),
  as: z
    .object({
      number: z.number().int().nonnegative().max(4_294_967_295),
      organization: z.object({ name: z.string().min(1).max(256) }).optional(),
    })
    .optional(),
  network: z.enum(NETWORK_SCOPES).optional(),
});
export type ClientEnrichment = z.infer<typeof clientEnrichmentSchema>;

/**
 * ECS `client` of a document: the address and port a recognised format (or a collector) places, the
 * host name when the log gives a name instead (`domain`), and the enrichment. An address only found
 * somewhere in the text is `source_ip` alone, never `client.ip`.
 */
export const documentClientSchema = clientEnrichmentSchema.extend({
  /** Canonical (lower-case IPv6, IPv4-mapped written as IPv4); mapped as `ip`. */
  ip: z.string().optional(),
  port: z.number().int().min(0).max(65_535).optional(),
  domain: z.string().optional(),
});
export type DocumentClient = z.infer<typeof documentClientSchema>;

/** ECS `event.outcome`; `unknown` is ECS's value for a result that cannot be told. */
export const EVENT_OUTCOMES = ["success", "failure", "unknown"] as const;

/** ECS fields of a document besides `client` and `trace`, each present when the log says it (docs/messages.md). */
const ecsDocumentFields = {
  /** The account a log is about, as written (it may hold blanks and quotes). */
  user: z.object({ name: z.string() }).optional(),
  /** Set on authentication attempts: `category: ["authentication"]`, `type: ["start"]` and the outcome. */
  event: z
    .object({ category: z.array(z.string()), type: z.array(z.string()), outcome: z.enum(EVENT_OUTCOMES) })
    .optional(),
  /** The host that wrote the log: the collector's, else the syslog header's. */
  host: z.object({ name: z.string() }).optional(),
  process: z.object({ name: z.string().optional(), pid: z.number().int().nonnegative().optional() }).optional(),
};

/** `processed_logs` document (docs/contract.md) with compatible additions. */
export const processedLogSchema = z.object({
  id: z.string(),
  message: z.string(),
  timestamp: z.number(),
  status: alertStatusSchema,
  is_anomaly: z.boolean(),
  reason: z.string().nullable(),
  source_ip: z.string().nullable(),
  /** The client's host name, when the log names it only by name (rhost=host.example). */
  source_host: z.string().nullable().optional(),
  /** True when no recognised format placed source_ip: it was found somewhere in the text. */
  source_ip_inferred: z.boolean().optional(),
  rule: z.enum(DETECTION_RULES).nullable().optional(),
  source: z.string().nullable().optional(),
  endpoint: z.string().nullable().optional(),
  ingested_at: z.number().optional(),
  status_updated_at: z.number().nullable().optional(),
  /** Seconds from the event to being resolved or dismissed; null while open. */
  resolution_seconds: z.number().nullable().optional(),
  /** The trace the log arrived in (ECS `trace.id`): the request, the analysis and the alert it raised. */
  trace: z.object({ id: z.string() }).optional(),
  /** The log's template, mined online per source; an id merged into an older template's keeps naming it. */
  pattern: z.object({ id: z.string(), template: z.string() }).optional(),
  /** Set on anomalies: `info` for a keyword on a familiar, never escalated template or a suppressed one (triage/template-verdicts.ts), `low` for a new template, up to `high`. */
  severity: z.enum(ANOMALY_SEVERITIES).optional(),
  /** ECS client: address, port, host name, and the country and network of `source_ip` when enrichment is on. */
  client: documentClientSchema.optional(),
  /** On anomalies: the incident grouping this alert with others of its rule and subject (docs/incidents.md). */
  incident_id: z.string().optional(),
  ...ecsDocumentFields,
});
export type ProcessedLog = z.infer<typeof processedLogSchema>;

export const HIGH_PRIORITY_ALERT_TYPES = ["brute_force", "traffic_spike", "credential_leak"] as const;
export type HighPriorityAlertType = (typeof HIGH_PRIORITY_ALERT_TYPES)[number];

/**
 * `high-priority-alerts` topic, schema version 1 (documented in docs/messages.md).
 * One self-contained fact a responder needs; the alerter renders it, it never looks anything up.
 */
export const highPriorityAlertSchema = z.object({
  schema_version: z.literal(1),
  alert_id: z.string().min(1),
  type: z.enum(HIGH_PRIORITY_ALERT_TYPES),
  severity: z.enum(["medium", "high", "critical"]),
  summary: z.string(),
  detected_at: z.number(),
  source_ip: z.string().nullable(),
  /** Number of events behind the alert (failed logins, requests in the minute). */
  count: z.number().int().nonnegative().nullable(),
  window_seconds: z.number().nonnegative().nullable(),
  first_seen: z.number().nullable(),
  last_seen: z.number().nullable(),
  /** Id of the processed_logs document that raised it, for a dashboard link. */
  log_id: z.string().nullable(),
  /** Type-specific facts (spike baseline, leak location); values are never secrets. */
  details: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
  /** Country and network of `source_ip`; a malformed one is dropped, never the alert. */
  client: clientEnrichmentSchema.optional().catch(undefined),
  /**
   * The incident the alert belongs to, as it stands with this alert (docs/incidents.md): `opened`
   * on its first alert. The alerter notifies once per incident, then sends updates.
   */
  incident: z
    .object({
      id: z.string().min(1),
      opened: z.boolean(),
      status: alertStatusSchema,
      alerts: z.number().int().positive(),
      events: z.number().int().nonnegative(),
      first_seen: z.number(),
      last_seen: z.number(),
    })
    .optional()
    .catch(undefined),
});
export type HighPriorityAlert = z.infer<typeof highPriorityAlertSchema>;
