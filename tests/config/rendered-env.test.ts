/**
 * The operator and the services agree on settings: every component's environment, rendered from a
 * SocPipeline as its pod gets it (ConfigMap, own settings, mounted Secret files), is accepted by
 * that service's own configuration parser, and every name the operator writes is one it reads.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { z } from "zod";
import { alerterEnvSchema, parseAlerterEnv } from "@soc/alerter";
import { apiEnvSchema, parseApiEnv } from "@soc/api";
import { firebaseCollectorEnvSchema, parseFirebaseCollectorEnv } from "@soc/collector-firebase";
import { parsePostgresCollectorEnv, postgresCollectorEnvSchema } from "@soc/collector-postgres";
import { parseSupabaseCollectorEnv, supabaseCollectorEnvSchema } from "@soc/collector-supabase";
import { parseSyslogCollectorEnv, syslogCollectorEnvSchema } from "@soc/collector-syslog";
import { parseVercelCollectorEnv, vercelCollectorEnvSchema } from "@soc/collector-vercel";
import { parseScannerEnv, scannerEnvSchema } from "@soc/credential-scanner";
import { parseReporterEnv, reporterEnvSchema } from "@soc/reporter";
import { parseRetentionJobEnv, retentionJobEnvSchema } from "@soc/retention";
import { parseWorkerEnv, workerEnvSchema } from "@soc/worker";
import { socPipelineObject, type CollectorSpec, type SocPipeline } from "../../operator/src/api/v1alpha1/index.ts";
import { components, secretFileName, sharedSettings, type Component } from "../../operator/src/pipeline/components.ts";

type Env = Record<string, string>;
interface ServiceConfig {
  schema: z.ZodObject;
  parse: (env: Env) => unknown;
}

const collectorConfigs: Record<CollectorSpec["type"], ServiceConfig> = {
  postgres: { schema: postgresCollectorEnvSchema, parse: parsePostgresCollectorEnv },
  vercel: { schema: vercelCollectorEnvSchema, parse: parseVercelCollectorEnv },
  supabase: { schema: supabaseCollectorEnvSchema, parse: parseSupabaseCollectorEnv },
  firebase: { schema: firebaseCollectorEnvSchema, parse: parseFirebaseCollectorEnv },
  syslog: { schema: syslogCollectorEnvSchema, parse: parseSyslogCollectorEnv },
};
const serviceConfigs: Record<string, ServiceConfig> = {
  api: { schema: apiEnvSchema, parse: parseApiEnv },
  worker: { schema: workerEnvSchema, parse: parseWorkerEnv },
  alerter: { schema: alerterEnvSchema, parse: parseAlerterEnv },
  reporter: { schema: reporterEnvSchema, parse: parseReporterEnv },
  "credential-scanner": { schema: scannerEnvSchema, parse: parseScannerEnv },
  retention: { schema: retentionJobEnvSchema, parse: parseRetentionJobEnv },
};

const CERTIFICATE = "-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n";
/** What each mounted Secret key holds in this test, by the name the service reads. */
const SECRET_VALUES: Env = {
  API_KEYS: "admin:0123456789abcdef0123456789abcdef",
  SLACK_WEBHOOK_URLS: "https://hooks.slack.com/services/T/B/x",
  DISCORD_WEBHOOK_URLS: "https://discord.com/api/webhooks/1/a",
  SMTP_URL: "smtp://user:password@mail.example.com:587",
  GITHUB_TOKEN: "ghp_test",
  OTEL_EXPORTER_OTLP_HEADERS: "authorization=Bearer otlp-token",
  KAFKA_SASL_PASSWORD: "kafka-password",
  KAFKA_SSL_CA_FILE: CERTIFICATE,
  KAFKA_SSL_CERT_FILE: CERTIFICATE,
  KAFKA_SSL_KEY_FILE: "-----BEGIN PRIVATE KEY-----\nMIIfake\n-----END PRIVATE KEY-----\n",
  ELASTICSEARCH_URL: "https://elasticsearch.example.com:9200",
  ELASTICSEARCH_PASSWORD: "es-password",
  ELASTICSEARCH_CA_FILE: CERTIFICATE,
  REDIS_URL: "rediss://redis.example.com:6380",
  REDIS_PASSWORD: "redis-password",
  REDIS_CA_FILE: CERTIFICATE,
  VERCEL_DRAIN_SECRET: "vercel-secret",
  VERCEL_VERIFY_TOKEN: "verify-token",
  SUPABASE_ACCESS_TOKEN: "sbp_test",
  SUPABASE_DRAIN_SECRET: "drain-secret",
  GOOGLE_SERVICE_ACCOUNT_JSON: '{"type":"service_account"}',
  SYSLOG_TLS_CERT: CERTIFICATE,
  SYSLOG_TLS_KEY: "-----BEGIN PRIVATE KEY-----\nMIIfake\n-----END PRIVATE KEY-----\n",
};

const ref = (key: string) => ({ name: "soc-secrets", key });
const FULL_SPEC = {
  kafka: {
    brokers: ["kafka:9093"],
    tls: { caSecretRef: ref("ca"), certSecretRef: ref("cert"), keySecretRef: ref("key") },
    sasl: { mechanism: "SCRAM-SHA-512", username: "soc", passwordSecretRef: ref("kafka") },
    topics: { logs: "a-logs", configUpdates: "a-config", highPriorityAlerts: "a-alerts" },
  },
  elasticsearch: {
    urlSecretRef: ref("es-url"),
    username: "soc",
    passwordSecretRef: ref("es-password"),
    caSecretRef: ref("es-ca"),
  },
  redis: {
    urlSecretRef: ref("redis-url"),
    username: "soc",
    passwordSecretRef: ref("redis-password"),
    caSecretRef: ref("redis-ca"),
  },
  api: { apiKeysSecretRef: ref("api-keys"), frontendOrigins: ["https://soc.example.com"] },
  worker: {
    groupId: "a-workers",
    detection: {
      keywords: ["panic", "denied"],
      keywordRules: ["denied@sshd|su:high", "panic@!kernel:critical"],
      bruteForceThreshold: 3,
      bruteForceWindowSeconds: 120,
      spikeBaselineMinutes: 30,
      spikeMinRequestsPerMinute: 10,
      spikeSigma: 2.5,
      incidentWindowSeconds: 900,
      incidentMaxSeconds: 43200,
      incidentMaxAlerts: 500,
    },
  },
  alerter: {
    slackWebhookUrlsSecretRef: ref("slack"),
    discordWebhookUrlsSecretRef: ref("discord"),
    smtpUrlSecretRef: ref("smtp"),
    emailTo: ["soc@example.com"],
    dashboardUrl: "https://soc.example.com",
  },
  collectors: [
    {
      name: "pg",
      type: "postgres",
      settings: { POSTGRES_LOG_DIR: "/logs", COLLECTOR_POLL_SECONDS: "5", LOG_LEVEL: "debug" },
    },
    {
      name: "vercel",
      type: "vercel",
      settings: { DRAIN_MAX_BODY_BYTES: "1000000", DRAIN_MAX_CONNECTIONS: "64" },
      secretEnv: [
        { name: "VERCEL_DRAIN_SECRET", secretKeyRef: ref("vercel") },
        { name: "VERCEL_VERIFY_TOKEN", secretKeyRef: ref("vercel-verify") },
      ],
    },
    {
      name: "supa",
      type: "supabase",
      settings: { SUPABASE_PROJECT_REF: "abcd", SUPABASE_DRAIN_HEADER: "X-Token" },
      secretEnv: [
        { name: "SUPABASE_ACCESS_TOKEN", secretKeyRef: ref("supabase") },
        { name: "SUPABASE_DRAIN_SECRET", secretKeyRef: ref("supabase-drain") },
      ],
    },
    {
      name: "fb",
      type: "firebase",
      settings: { GCP_PROJECT_ID: "acme", FIREBASE_LOG_FILTER: "severity>=WARNING" },
      secretEnv: [{ name: "GOOGLE_SERVICE_ACCOUNT_JSON", secretKeyRef: ref("google") }],
    },
    {
      name: "syslog",
      type: "syslog",
      replicas: 2,
      settings: { SYSLOG_TRANSPORTS: "udp,tls", SYSLOG_TIMEZONE: "Europe/Berlin" },
      secretEnv: [
        { name: "SYSLOG_TLS_CERT", secretKeyRef: ref("syslog-cert") },
        { name: "SYSLOG_TLS_KEY", secretKeyRef: ref("syslog-key") },
      ],
    },
  ],
  reporter: { enabled: true, smtpUrlSecretRef: ref("smtp"), emailTo: ["soc@example.com"], dayOfMonth: 3, hourUtc: 7 },
  credentialScanner: { enabled: true, githubTokenSecretRef: ref("github"), queries: ["org:acme", "acme.com"] },
  retention: { normalDays: 14, anomalyDays: 365, anomalyIndexPeriod: "day" },
  telemetry: {
    endpoint: "http://otel-collector.observability:4318",
    headersSecretRef: ref("otlp-headers"),
    samplingRatio: 0.25,
  },
};

function pipeline(spec: Record<string, unknown>): SocPipeline {
  return socPipelineObject.parse({
    apiVersion: "socpipeline.io/v1alpha1",
    kind: "SocPipeline",
    metadata: { name: "shop", namespace: "soc", uid: "uid-1", generation: 1, resourceVersion: "1" },
    spec,
  });
}

/** The pod's environment: the ConfigMap, then its own settings, then each Secret file written to `dir`. */
function podEnv(spec: SocPipeline["spec"], component: Component, dir: string): Env {
  const files = component.secretFiles.map((file) => {
    const base = file.env.replace(/_FILE$/, "");
    const value = SECRET_VALUES[file.env] ?? SECRET_VALUES[base];
    if (value === undefined) throw new Error(`no test value for the Secret behind ${file.env}`);
    const path = join(dir, `${component.name}-${secretFileName(file.env)}`);
    writeFileSync(path, value);
    return [file.env, path];
  });
  return {
    ...sharedSettings(spec),
    ...Object.fromEntries(component.env.map((e) => [e.name, e.value])),
    ...Object.fromEntries(files),
  };
}

/** The names the operator sets for this component (the ConfigMap's are shared by all) that its schema has no key for. */
function unreadNames(component: Component, schema: z.ZodObject): string[] {
  const keys = new Set(Object.keys(schema.shape));
  const written = [...component.env.map((e) => e.name), ...component.secretFiles.map((f) => f.env)];
  return written.filter((name) => !keys.has(name) && !keys.has(name.replace(/_FILE$/, "")));
}

function configOf(spec: SocPipeline["spec"], component: Component): ServiceConfig | undefined {
  const collector = spec.collectors.find((c) => component.name === `collector-${c.name}`);
  return collector === undefined ? serviceConfigs[component.name] : collectorConfigs[collector.type];
}

describe("every component's rendered environment", () => {
  it.each([
    {
      case: "a default pipeline",
      spec: { kafka: { brokers: ["kafka:9092"] }, api: { apiKeysSecretRef: ref("api-keys") } },
    },
    { case: "a pipeline with every component, secured backends and every setting", spec: FULL_SPEC },
  ])("is read and accepted by the service's own parser: $case", ({ spec }) => {
    const object = pipeline(spec);
    const dir = mkdtempSync(join(tmpdir(), "rendered-env-"));
    // The dashboard is static files behind a web server: nothing parses its settings.
    const services = components(object).filter((c) => c.name !== "dashboard");
    for (const component of services) {
      const config = configOf(object.spec, component);
      expect(config, `a parser for ${component.name}`).toBeDefined();
      if (config === undefined) continue;
      expect(unreadNames(component, config.schema), `${component.name} reads every name the operator sets`).toEqual([]);
      expect(() => config.parse(podEnv(object.spec, component, dir)), component.name).not.toThrow();
    }
  });

  it("carries the spec's values through to what each service parses", () => {
    const object = pipeline(FULL_SPEC);
    const dir = mkdtempSync(join(tmpdir(), "rendered-env-"));
    const envOf = (name: string): Env =>
      podEnv(object.spec, components(object).find((c) => c.name === name) as Component, dir);
    expect(parseApiEnv(envOf("api"))).toMatchObject({
      WORKER_GROUP_ID: "a-workers",
      TOPIC_LOGS: "a-logs",
      FRONTEND_ORIGIN: ["https://soc.example.com"],
    });
    expect(parseWorkerEnv(envOf("worker"))).toMatchObject({
      WORKER_GROUP_ID: "a-workers",
      SPIKE_BASELINE_MINUTES: 30,
      SPIKE_SIGMA: 2.5,
      ANOMALY_KEYWORDS: ["panic", "denied"],
      KEYWORD_RULES: [
        { keyword: "denied", only: ["sshd", "su"], except: [], severity: "high" },
        { keyword: "panic", only: [], except: ["kernel"], severity: "critical" },
      ],
      INCIDENT_WINDOW_SECONDS: 900,
      INCIDENT_MAX_SECONDS: 43200,
      INCIDENT_MAX_ALERTS: 500,
    });
    expect(parseAlerterEnv(envOf("alerter"))).toMatchObject({
      TOPIC_HIGH_PRIORITY_ALERTS: "a-alerts",
      ALERT_EMAIL_TO: ["soc@example.com"],
    });
    expect(parseScannerEnv(envOf("credential-scanner"))).toMatchObject({
      TOPIC_HIGH_PRIORITY_ALERTS: "a-alerts",
      SCAN_QUERIES: ["org:acme", "acme.com"],
    });
    expect(parseReporterEnv(envOf("reporter"))).toMatchObject({ REPORT_DAY_OF_MONTH: 3, REPORT_HOUR_UTC: 7 });
    expect(parseRetentionJobEnv(envOf("retention"))).toMatchObject({
      RETENTION_NORMAL_DAYS: 14,
      RETENTION_ANOMALY_DAYS: 365,
      ELASTICSEARCH_ANOMALY_INDEX_PERIOD: "day",
    });
    expect(parseWorkerEnv(envOf("worker"))).toMatchObject({ RETENTION_NORMAL_DAYS: 14, RETENTION_ANOMALY_DAYS: 365 });
    // The ports the syslog pod listens on are the ones its Service and NetworkPolicy open.
    const syslog = components(object).find((c) => c.name === "collector-syslog") as Component;
    const listening = parseSyslogCollectorEnv(envOf("collector-syslog"));
    expect(listening).toMatchObject({ SYSLOG_TRANSPORTS: ["udp", "tls"], SYSLOG_TIMEZONE: "Europe/Berlin" });
    expect(syslog.listenPorts).toEqual([
      { name: "syslog-udp", containerPort: listening.SYSLOG_UDP_PORT, servicePort: 514, protocol: "UDP" },
      { name: "syslog-tls", containerPort: listening.SYSLOG_TLS_PORT, servicePort: 6514, protocol: "TCP" },
    ]);
  });
});
