/**
 * What runs for a SocPipeline, component by component: image, replicas, environment, ports.
 * Pure: the same spec always gives the same components, so children have stable names.
 */
import type { CollectorSpec, Resources, SecretKeyRef, SocPipeline, SocPipelineSpec } from "../api/v1alpha1/index.ts";

export type EnvVar = { name: string; value: string } | { name: string; valueFrom: { secretKeyRef: SecretKeyRef } };

export interface Component {
  /** Suffix of the child names: <pipeline>-<name>. */
  name: string;
  kind: "Deployment" | "CronJob";
  image: string;
  /** Undefined when the autoscaler owns the replica count. */
  replicas: number | undefined;
  resources: Resources;
  env: EnvVar[];
  /** The port with /healthz, /readyz and /metrics (or the API), when the service has one. */
  port?: { name: string; number: number; readinessPath: string; livenessPath: string };
  /** Exposed through a Service (ingest and log drains). */
  exposed: boolean;
  /** Keeps a file (a collector's cursor, the scanner's findings) on a PersistentVolumeClaim of its own. */
  persistentState: boolean;
  schedule?: string;
}

export const STATE_DIR = "/var/lib/soc";
const COLLECTOR_PORT = 8080;

/** A service's own HTTP port, with /readyz and /healthz (shared ops server or the API). */
const opsPort = (name: string, number: number): NonNullable<Component["port"]> => ({ name, number, readinessPath: "/readyz", livenessPath: "/healthz" });
const secretEnv = (name: string, ref: SecretKeyRef | undefined): EnvVar[] => (ref === undefined ? [] : [{ name, valueFrom: { secretKeyRef: ref } }]);
const plainEnv = (values: Record<string, string | number>): EnvVar[] => Object.entries(values).map(([name, value]) => ({ name, value: String(value) }));

/** Settings every service reads; they live in the pipeline's ConfigMap. */
export function sharedSettings(spec: SocPipelineSpec): Record<string, string> {
  return {
    KAFKA_BROKER: spec.kafka.brokers.join(","),
    TOPIC_LOGS: spec.kafka.topics.logs,
    TOPIC_CONFIG_UPDATES: spec.kafka.topics.configUpdates,
    TOPIC_HIGH_PRIORITY_ALERTS: spec.kafka.topics.highPriorityAlerts,
    ELASTICSEARCH_INDEX: spec.elasticsearch.index,
    ...(spec.elasticsearch.url === undefined ? {} : { ELASTICSEARCH_URL: spec.elasticsearch.url }),
    ...(spec.redis.url === undefined ? {} : { REDIS_URL: spec.redis.url }),
    // The whitelist comes from IpWhitelist objects and the API only, never from a built-in seed.
    WHITELISTED_IPS: "",
  };
}

/** Connection URLs that carry credentials come from Secrets, per container. */
function connectionSecrets(spec: SocPipelineSpec): EnvVar[] {
  return [...secretEnv("ELASTICSEARCH_URL", spec.elasticsearch.urlSecretRef), ...secretEnv("REDIS_URL", spec.redis.urlSecretRef)];
}

/** Collectors that pull from an API keep a cursor; a log drain (Vercel) only receives. */
const PULLS = new Set<CollectorSpec["type"]>(["postgres", "supabase", "firebase"]);

function collectorComponent(collector: CollectorSpec, connections: EnvVar[]): Component {
  const pulls = PULLS.has(collector.type);
  return {
    name: `collector-${collector.name}`,
    kind: "Deployment",
    image: collector.image ?? `ghcr.io/soc-pipeline/collector-${collector.type}:0.1.0`,
    replicas: collector.replicas,
    resources: collector.resources,
    env: [
      ...connections,
      ...plainEnv({ ...collector.settings, COLLECTOR_PORT: COLLECTOR_PORT, ...(pulls ? { COLLECTOR_CURSOR_FILE: `${STATE_DIR}/cursor.json` } : {}) }),
      ...collector.secretEnv.map(({ name, secretKeyRef }) => ({ name, valueFrom: { secretKeyRef } })),
    ],
    port: opsPort("http", COLLECTOR_PORT),
    exposed: true,
    persistentState: pulls,
  };
}

export function components(pipeline: SocPipeline): Component[] {
  const spec = pipeline.spec;
  const connections = connectionSecrets(spec);
  const { api, worker, alerter, reporter, credentialScanner: scanner, dashboard } = spec;
  const detection = worker.detection;
  const list: Component[] = [
    {
      name: "api",
      kind: "Deployment",
      image: api.image,
      replicas: api.replicas,
      resources: api.resources,
      env: [...connections, ...secretEnv("API_KEYS", api.apiKeysSecretRef), ...plainEnv({ API_PORT: 8000, FRONTEND_ORIGIN: api.frontendOrigins.join(",") })],
      port: opsPort("http", 8000),
      exposed: true,
      persistentState: false,
    },
    {
      name: "worker",
      kind: "Deployment",
      image: worker.image,
      replicas: worker.autoscaling.enabled ? undefined : worker.replicas,
      resources: worker.resources,
      env: [
        ...connections,
        ...plainEnv({
          WORKER_GROUP_ID: worker.groupId,
          WORKER_METRICS_PORT: 9464,
          // Pipelines may share one Redis; each keeps its own brute-force windows and baselines.
          REDIS_KEY_PREFIX: `soc:${pipeline.metadata.namespace}/${pipeline.metadata.name}:`,
          ANOMALY_KEYWORDS: detection.keywords.join(","),
          BRUTE_FORCE_THRESHOLD: detection.bruteForceThreshold,
          BRUTE_FORCE_WINDOW_SECONDS: detection.bruteForceWindowSeconds,
          SPIKE_MIN_REQUESTS_PER_MINUTE: detection.spikeMinRequestsPerMinute,
          SPIKE_SIGMA: detection.spikeSigma,
        }),
      ],
      port: opsPort("metrics", 9464),
      exposed: false,
      persistentState: false,
    },
    {
      name: "alerter",
      kind: "Deployment",
      image: alerter.image,
      replicas: alerter.replicas,
      resources: alerter.resources,
      env: [
        ...connections,
        ...secretEnv("SLACK_WEBHOOK_URLS", alerter.slackWebhookUrlsSecretRef),
        ...secretEnv("DISCORD_WEBHOOK_URLS", alerter.discordWebhookUrlsSecretRef),
        ...secretEnv("SMTP_URL", alerter.smtpUrlSecretRef),
        ...plainEnv({ ALERTER_PORT: 9465, ALERT_EMAIL_TO: alerter.emailTo.join(","), ...(alerter.dashboardUrl === undefined ? {} : { DASHBOARD_URL: alerter.dashboardUrl }) }),
      ],
      port: opsPort("metrics", 9465),
      exposed: false,
      persistentState: false,
    },
    ...spec.collectors.map((collector) => collectorComponent(collector, connections)),
  ];
  if (reporter.enabled) {
    list.push({
      name: "reporter",
      kind: "Deployment",
      image: reporter.image,
      replicas: 1,
      resources: reporter.resources,
      env: [...connections, ...secretEnv("SMTP_URL", reporter.smtpUrlSecretRef), ...plainEnv({ REPORT_EMAIL_TO: reporter.emailTo.join(","), REPORT_DAY_OF_MONTH: reporter.dayOfMonth, REPORT_HOUR_UTC: reporter.hourUtc })],
      exposed: false,
      persistentState: false,
    });
  }
  if (dashboard.enabled) {
    list.push({
      name: "dashboard",
      kind: "Deployment",
      image: dashboard.image,
      replicas: dashboard.replicas,
      resources: dashboard.resources,
      env: plainEnv({ DASHBOARD_PORT: 3000, DASHBOARD_HOST: "0.0.0.0", API_BASE_URL: dashboard.apiBaseUrl ?? "" }),
      // Static files and /config.json: nothing to be ready for but the server itself.
      port: { name: "http", number: 3000, readinessPath: "/config.json", livenessPath: "/config.json" },
      exposed: true,
      persistentState: false,
    });
  }
  if (scanner.enabled) {
    list.push({
      name: "credential-scanner",
      kind: "CronJob",
      image: scanner.image,
      replicas: undefined,
      resources: scanner.resources,
      env: [...secretEnv("GITHUB_TOKEN", scanner.githubTokenSecretRef), ...plainEnv({ SCAN_QUERIES: scanner.queries.join(","), SCAN_STATE_FILE: `${STATE_DIR}/findings.json` })],
      exposed: false,
      persistentState: true,
      schedule: scanner.schedule,
    });
  }
  return list;
}
