/** The SocPipeline's collectors: which log sources run, and the only settings each type may take. */
import { z } from "zod";
import { dnsLabel, replicas, resources, secretKeyRef } from "./common.ts";

export const COLLECTOR_TYPES = ["postgres", "vercel", "supabase", "firebase", "syslog"] as const;
export type CollectorType = (typeof COLLECTOR_TYPES)[number];

/**
 * The only environment names a collector's `settings` and `secretEnv` may set, per type. Anything
 * else (NODE_OPTIONS, *_FILE, KAFKA_BROKER, an API URL that would receive the token) would let a
 * SocPipeline author run code or redirect credentials with the approved image.
 */
export const COLLECTOR_SETTINGS: Record<CollectorType, readonly string[]> = {
  postgres: ["POSTGRES_LOG_DIR", "COLLECTOR_POLL_SECONDS", "LOG_LEVEL"],
  vercel: ["VERCEL_VERIFY_TOKEN", "DRAIN_MAX_BODY_BYTES", "DRAIN_MAX_CONNECTIONS", "LOG_LEVEL"],
  supabase: [
    "SUPABASE_PROJECT_REF",
    "SUPABASE_DRAIN_HEADER",
    "COLLECTOR_POLL_SECONDS",
    "DRAIN_MAX_BODY_BYTES",
    "DRAIN_MAX_CONNECTIONS",
    "LOG_LEVEL",
  ],
  firebase: ["GCP_PROJECT_ID", "FIREBASE_LOG_FILTER", "COLLECTOR_POLL_SECONDS", "LOG_LEVEL"],
  // The ports are the operator's (they must match the Service), so they are not settings.
  syslog: [
    "SYSLOG_TRANSPORTS",
    "SYSLOG_TIMEZONE",
    "SYSLOG_MAX_MESSAGE_BYTES",
    "SYSLOG_MAX_CONNECTIONS",
    "SYSLOG_IDLE_TIMEOUT_SECONDS",
    "SYSLOG_MAX_QUEUED",
    "LOG_LEVEL",
  ],
};
export const COLLECTOR_SECRETS: Record<CollectorType, readonly string[]> = {
  postgres: [],
  vercel: ["VERCEL_DRAIN_SECRET", "VERCEL_VERIFY_TOKEN"],
  supabase: ["SUPABASE_ACCESS_TOKEN", "SUPABASE_DRAIN_SECRET"],
  firebase: ["GOOGLE_SERVICE_ACCOUNT_JSON"],
  syslog: ["SYSLOG_TLS_CERT", "SYSLOG_TLS_KEY", "SYSLOG_TLS_CLIENT_CA"],
};

const allowedFor = (table: Record<CollectorType, readonly string[]>): string =>
  COLLECTOR_TYPES.map((type) => `${type}: ${table[type].join(", ") || "none"}`).join("; ");
/** CEL: every name in `names` is one `table` allows for self.type. */
const allowedNamesRule = (names: string, table: Record<CollectorType, readonly string[]>): string =>
  `${names}.all(n, n in {${COLLECTOR_TYPES.map((type) => `'${type}': [${table[type].map((n) => `'${n}'`).join(", ")}]`).join(", ")}}[self.type])`;
const SETTINGS_MESSAGE = `settings may only set the names its type reads (${allowedFor(COLLECTOR_SETTINGS)})`;
const SECRETS_MESSAGE = `secretEnv may only set the names its type reads (${allowedFor(COLLECTOR_SECRETS)})`;

export const collector = z
  .object({
    name: dnsLabel.max(20).describe("Unique within the pipeline; names the Deployment <pipeline>-collector-<name>."),
    type: z.enum(COLLECTOR_TYPES),
    image: z.string().min(1).max(512).optional().describe("Defaults to ghcr.io/soc-pipeline/collector-<type>:0.1.0."),
    replicas: replicas(1),
    resources: resources({ cpu: "50m", memory: "128Mi", memoryLimit: "256Mi" }),
    settings: z
      .record(z.string().max(64), z.string().max(4096))
      .default({})
      .meta({ maxProperties: 16 })
      .describe(`Environment settings of the collector, by type: ${allowedFor(COLLECTOR_SETTINGS)}.`),
    secretEnv: z
      .array(
        z.object({
          name: z
            .string()
            .regex(/^[A-Z_][A-Z0-9_]*$/, "must be an environment variable name")
            .max(64),
          secretKeyRef,
        }),
      )
      .max(8)
      .default([])
      .meta({ "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name"] })
      .describe(
        `Secrets the collector reads, mounted as files (NAME_FILE), by type: ${allowedFor(COLLECTOR_SECRETS)}.`,
      ),
  })
  .superRefine((collector, ctx) => {
    const settings = COLLECTOR_SETTINGS[collector.type];
    const secrets = COLLECTOR_SECRETS[collector.type];
    for (const name of Object.keys(collector.settings))
      if (!settings.includes(name))
        ctx.addIssue({ code: "custom", path: ["settings", name], message: SETTINGS_MESSAGE });
    collector.secretEnv.forEach(
      ({ name }, i) =>
        secrets.includes(name) ||
        ctx.addIssue({ code: "custom", path: ["secretEnv", i, "name"], message: SECRETS_MESSAGE }),
    );
  })
  .meta({
    "x-kubernetes-validations": [
      {
        rule: "self.type in ['vercel', 'syslog'] || !has(self.replicas) || self.replicas <= 1",
        message: "a pulling collector keeps its cursor on its own volume: replicas must be 0 or 1",
      },
      {
        rule: `!has(self.settings) || ${allowedNamesRule("self.settings", COLLECTOR_SETTINGS)}`,
        message: SETTINGS_MESSAGE,
      },
      {
        rule: `!has(self.secretEnv) || ${allowedNamesRule("self.secretEnv.map(e, e.name)", COLLECTOR_SECRETS)}`,
        message: SECRETS_MESSAGE,
      },
    ],
  })
  .describe("A log source.");
