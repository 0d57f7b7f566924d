/**
 * What runs for a SocPipeline, component by component: image, replicas, environment, ports.
 * Pure: the same spec always gives the same components, so children have stable names.
 */
import type { CollectorSpec, Resources, SecretKeyRef, SocPipeline, SocPipelineSpec } from "../api/v1alpha1/index.ts";
import { pipelineKafkaProtocol } from "../kafka/pipeline-credentials.ts";

export interface EnvVar {
  name: string;
  value: string;
}

/** One Secret key mounted as a file; `env` (a *_FILE name) tells the service where it is. */
export interface SecretFile {
  env: string;
  ref: SecretKeyRef;
}

export type Backend = "kafka" | "elasticsearch" | "redis";

/** A port a component receives logs on besides its HTTP port (syslog), exposed and opened like it. */
export interface ListenPort {
  name: string;
  containerPort: number;
  servicePort: number;
  protocol: "TCP" | "UDP";
}

export interface Component {
  /** Suffix of the child names: <pipeline>-<name>. */
  name: string;
  kind: "Deployment" | "CronJob";
  image: string;
  /** Undefined when the autoscaler owns the replica count. */
  replicas: number | undefined;
  resources: Resources;
  /** Plain settings only: credentials are in `secretFiles`, never in an env value. */
  env: EnvVar[];
  secretFiles: SecretFile[];
  /** The servers it talks to: their credentials are mounted and their ports opened (egress). */
  backends: Backend[];
  /** Ports it reaches outside the cluster (notification hosts, GitHub, provider APIs). */
  externalPorts: number[];
  /** Who may connect to `port`: "clients" (ingress sources), or only "monitoring" (metrics). */
  ingress: "clients" | "monitoring";
  /** The port with /healthz, /readyz and /metrics (or the API), when the service has one. */
  port?: { name: string; number: number; readinessPath: string; livenessPath: string };
  listenPorts?: ListenPort[];
  /** Exposed through a Service (ingest and log drains). */
  exposed: boolean;
  /** Keeps a file (a collector's cursor, the scanner's findings) on a PersistentVolumeClaim of its own. */
  persistentState: boolean;
  /** A CronJob's: when it runs (five-field cron, UTC), and how late a missed start may still run. */
  schedule?: { cron: string; startingDeadlineSeconds: number };
}

export const STATE_DIR = "/var/lib/soc";
export const SECRETS_DIR = "/var/run/secrets/soc";
const COLLECTOR_PORT = 8080;
const HTTPS = 443;
/** SMTP submission ports: the SMTP URL sits in a Secret, so its port is unknown here. */
const SMTP_PORTS = [25, 465, 587];
/** An hourly job that could not start within half an hour leaves it to the next hour's. */
const HOURLY_STARTING_DEADLINE_SECONDS = 1_800;
/** A monthly report is still worth sending days late (the controller or the cluster was down at that hour). */
const REPORT_STARTING_DEADLINE_SECONDS = 3 * 86_400;

/** A service's own HTTP port, with /readyz and /healthz (shared ops server or the API). */
const opsPort = (name: string, number: number): NonNullable<Component["port"]> => ({
  name,
  number,
  readinessPath: "/readyz",
  livenessPath: "/healthz",
});
/** `X_FILE` for a secret named `X`, unless the service's own name already ends in _FILE (KAFKA_SSL_CA_FILE). */
const secretFile = (name: string, ref: SecretKeyRef | undefined): SecretFile[] =>
  ref === undefined ? [] : [{ env: name.endsWith("_FILE") ? name : `${name}_FILE`, ref }];
/** A secret file's name in SECRETS_DIR: KAFKA_SSL_CA_FILE → kafka-ssl-ca. */
export const secretFileName = (env: string): string =>
  env
    .replace(/_FILE$/, "")
    .toLowerCase()
    .replaceAll("_", "-");
const plainEnv = (values: Record<string, string | number | undefined>): EnvVar[] =>
  Object.entries(values).flatMap(([name, value]) => (value === undefined ? [] : [{ name, value: String(value) }]));

/** What a component needs to reach each backend: plain settings and mounted credentials. */
interface BackendAccess {
  env: EnvVar[];
  secretFiles: SecretFile[];
}

/** librdkafka's vocabulary: SASL_SSL, SSL, SASL_PLAINTEXT; nothing when neither is set (PLAINTEXT). AWS_MSK_IAM: the region, no user. */
function kafkaAccess(kafka: SocPipelineSpec["kafka"]): BackendAccess {
  const { tls, sasl } = kafka;
  return {
    env: plainEnv({
      KAFKA_SECURITY_PROTOCOL: pipelineKafkaProtocol(kafka),
      KAFKA_SASL_MECHANISM: sasl?.mechanism,
      KAFKA_SASL_USERNAME: sasl?.username,
      AWS_REGION: sasl?.region,
    }),
    secretFiles: [
      ...secretFile("KAFKA_SASL_USERNAME", sasl?.usernameSecretRef),
      ...secretFile("KAFKA_SASL_PASSWORD", sasl?.passwordSecretRef),
      ...secretFile("KAFKA_SSL_CA_FILE", tls?.caSecretRef),
      ...secretFile("KAFKA_SSL_CERT_FILE", tls?.certSecretRef),
      ...secretFile("KAFKA_SSL_KEY_FILE", tls?.keySecretRef),
    ],
  };
}

function elasticsearchAccess(es: SocPipelineSpec["elasticsearch"]): BackendAccess {
  return {
    env: plainEnv({ ELASTICSEARCH_USERNAME: es.username }),
    secretFiles: [
      ...secretFile("ELASTICSEARCH_URL", es.urlSecretRef),
      ...secretFile("ELASTICSEARCH_API_KEY", es.apiKeySecretRef),
      ...secretFile("ELASTICSEARCH_USERNAME", es.usernameSecretRef),
      ...secretFile("ELASTICSEARCH_PASSWORD", es.passwordSecretRef),
      ...secretFile("ELASTICSEARCH_CA_FILE", es.caSecretRef),
    ],
  };
}

function redisAccess(redis: SocPipelineSpec["redis"]): BackendAccess {
  return {
    env: plainEnv({ REDIS_USERNAME: redis.username }),
    secretFiles: [
      ...secretFile("REDIS_URL", redis.urlSecretRef),
      ...secretFile("REDIS_PASSWORD", redis.passwordSecretRef),
      ...secretFile("REDIS_CA_FILE", redis.caSecretRef),
    ],
  };
}

/** A component's environment and secret files: its backends' first, then its own. */
function withBackends(
  spec: SocPipelineSpec,
  backends: Backend[],
  env: EnvVar[],
  secretFiles: SecretFile[],
): Pick<Component, "backends" | "env" | "secretFiles"> {
  const access = backends.map((backend) =>
    backend === "kafka"
      ? kafkaAccess(spec.kafka)
      : backend === "elasticsearch"
        ? elasticsearchAccess(spec.elasticsearch)
        : redisAccess(spec.redis),
  );
  return {
    backends,
    env: [...access.flatMap((a) => a.env), ...env],
    secretFiles: [...access.flatMap((a) => a.secretFiles), ...secretFiles],
  };
}

/** Settings every service reads; they live in the pipeline's ConfigMap. */
export function sharedSettings(spec: SocPipelineSpec): Record<string, string> {
  return {
    KAFKA_BROKER: spec.kafka.brokers.join(","),
    TOPIC_LOGS: spec.kafka.topics.logs,
    TOPIC_CONFIG_UPDATES: spec.kafka.topics.configUpdates,
    TOPIC_HIGH_PRIORITY_ALERTS: spec.kafka.topics.highPriorityAlerts,
    ELASTICSEARCH_INDEX: spec.elasticsearch.index,
    // The writers place documents within the retention; the retention run deletes by it.
    RETENTION_ENABLED: String(spec.retention.enabled),
    RETENTION_NORMAL_DAYS: String(spec.retention.normalDays),
    RETENTION_ANOMALY_DAYS: String(spec.retention.anomalyDays),
    ELASTICSEARCH_NORMAL_INDEX_PERIOD: spec.retention.normalIndexPeriod,
    ELASTICSEARCH_ANOMALY_INDEX_PERIOD: spec.retention.anomalyIndexPeriod,
    ...(spec.elasticsearch.url === undefined ? {} : { ELASTICSEARCH_URL: spec.elasticsearch.url }),
    ...(spec.redis.url === undefined ? {} : { REDIS_URL: spec.redis.url }),
    // The whitelist comes from IpWhitelist objects and the API only, never from a built-in seed.
    WHITELISTED_IPS: "",
  };
}

/** Collectors that pull from an API keep a cursor; a log drain (Vercel) only receives. */
const PULLS = new Set<CollectorSpec["type"]>(["postgres", "supabase", "firebase"]);
/** Collectors that call a provider's API (on 443); the PostgreSQL one reads a log directory. */
const CALLS_PROVIDER = new Set<CollectorSpec["type"]>(["supabase", "firebase"]);
/** Collectors that receive a log drain from outside; the others' port only serves health and metrics. */
const DRAINS = new Set<CollectorSpec["type"]>(["vercel", "supabase"]);

/**
 * Syslog's transports: the pods run unprivileged, so they listen above 1024 and the Service
 * answers on the well-known ports (514 plain, 6514 TLS as RFC 5425 assigns).
 */
const SYSLOG_PORTS = {
  udp: { name: "syslog-udp", containerPort: 5514, servicePort: 514, protocol: "UDP" },
  tcp: { name: "syslog-tcp", containerPort: 5514, servicePort: 514, protocol: "TCP" },
  tls: { name: "syslog-tls", containerPort: 6514, servicePort: 6514, protocol: "TCP" },
} as const satisfies Record<string, ListenPort>;

/** The syslog collector's ports, by the transports its settings name (the service's default: udp,tcp). */
function syslogPorts(collector: CollectorSpec): ListenPort[] {
  if (collector.type !== "syslog") return [];
  const named = (collector.settings.SYSLOG_TRANSPORTS ?? "udp,tcp").split(",").map((transport) => transport.trim());
  return (["udp", "tcp", "tls"] as const)
    .filter((transport) => named.includes(transport))
    .map((transport) => SYSLOG_PORTS[transport]);
}

function collectorComponent(spec: SocPipelineSpec, collector: CollectorSpec): Component {
  const pulls = PULLS.has(collector.type);
  const listenPorts = syslogPorts(collector);
  const syslogEnv =
    collector.type === "syslog"
      ? {
          SYSLOG_UDP_PORT: SYSLOG_PORTS.udp.containerPort,
          SYSLOG_TCP_PORT: SYSLOG_PORTS.tcp.containerPort,
          SYSLOG_TLS_PORT: SYSLOG_PORTS.tls.containerPort,
        }
      : {};
  return {
    name: `collector-${collector.name}`,
    kind: "Deployment",
    image: collector.image ?? `ghcr.io/soc-pipeline/collector-${collector.type}:0.1.0`,
    replicas: collector.replicas,
    resources: collector.resources,
    ...withBackends(
      spec,
      ["kafka"],
      plainEnv({
        ...collector.settings,
        COLLECTOR_PORT: COLLECTOR_PORT,
        ...syslogEnv,
        ...(pulls ? { COLLECTOR_CURSOR_FILE: `${STATE_DIR}/cursor.json` } : {}),
      }),
      collector.secretEnv.flatMap(({ name, secretKeyRef }) => secretFile(name, secretKeyRef)),
    ),
    externalPorts: CALLS_PROVIDER.has(collector.type) ? [HTTPS] : [],
    port: opsPort("http", COLLECTOR_PORT),
    ...(listenPorts.length > 0 ? { listenPorts } : {}),
    ingress: DRAINS.has(collector.type) || listenPorts.length > 0 ? "clients" : "monitoring",
    exposed: true,
    persistentState: pulls,
  };
}

/** The components that make spans: the dashboard serves files and the retention run deletes indices. */
const UNTRACED = new Set(["dashboard", "retention"]);

/**
 * OpenTelemetry settings of a component (docs/observability.md), when the pipeline names an
 * endpoint: without one the services load no SDK, so there is nothing to configure.
 */
export function telemetryEnv(pipeline: SocPipeline, component: string): Pick<Component, "env" | "secretFiles"> {
  const { endpoint, headersSecretRef, samplingRatio } = pipeline.spec.telemetry;
  if (endpoint === undefined || UNTRACED.has(component)) return { env: [], secretFiles: [] };
  return {
    env: plainEnv({
      OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
      OTEL_SERVICE_NAME: `soc-${component}`,
      OTEL_TRACES_SAMPLER: "parentbased_traceidratio",
      OTEL_TRACES_SAMPLER_ARG: samplingRatio,
      // Pipelines may share a trace backend: service.namespace tells theirs apart.
      OTEL_RESOURCE_ATTRIBUTES: `service.namespace=${pipeline.metadata.name},k8s.namespace.name=${pipeline.metadata.namespace}`,
    }),
    secretFiles: secretFile("OTEL_EXPORTER_OTLP_HEADERS", headersSecretRef),
  };
}

/** Redis keys of one pipeline's component: `<component>:<namespace>/<name>:`. */
const redisKeyPrefix = (component: string, pipeline: SocPipeline): string =>
  `${component}:${pipeline.metadata.namespace}/${pipeline.metadata.name}:`;

export function components(pipeline: SocPipeline): Component[] {
  const spec = pipeline.spec;
  const { api, worker, alerter, reporter, credentialScanner: scanner, dashboard } = spec;
  const detection = worker.detection;
  const list: Component[] = [
    {
      name: "api",
      kind: "Deployment",
      image: api.image,
      replicas: api.replicas,
      resources: api.resources,
      ...withBackends(
        spec,
        ["kafka", "elasticsearch", "redis"],
        plainEnv({
          API_PORT: 8000,
          FRONTEND_ORIGIN: api.frontendOrigins.join(","),
          WORKER_GROUP_ID: worker.groupId,
          REDIS_KEY_PREFIX: redisKeyPrefix("soc", pipeline),
        }),
        secretFile("API_KEYS", api.apiKeysSecretRef),
      ),
      externalPorts: [],
      port: opsPort("http", 8000),
      ingress: "clients",
      exposed: true,
      persistentState: false,
    },
    {
      name: "worker",
      kind: "Deployment",
      image: worker.image,
      replicas: worker.autoscaling.enabled ? undefined : worker.replicas,
      resources: worker.resources,
      ...withBackends(
        spec,
        ["kafka", "elasticsearch", "redis"],
        plainEnv({
          WORKER_GROUP_ID: worker.groupId,
          WORKER_METRICS_PORT: 9464,
          // Pipelines may share one Redis; each keeps its own brute-force windows and baselines.
          REDIS_KEY_PREFIX: redisKeyPrefix("soc", pipeline),
          ANOMALY_KEYWORDS: detection.keywords.join(","),
          // Written even when empty: no rules (every keyword everywhere) is a choice, not the worker's default.
          KEYWORD_RULES: detection.keywordRules.join(","),
          BRUTE_FORCE_THRESHOLD: detection.bruteForceThreshold,
          BRUTE_FORCE_WINDOW_SECONDS: detection.bruteForceWindowSeconds,
          SPIKE_BASELINE_MINUTES: detection.spikeBaselineMinutes,
          SPIKE_MIN_REQUESTS_PER_MINUTE: detection.spikeMinRequestsPerMinute,
          SPIKE_SIGMA: detection.spikeSigma,
          INCIDENT_WINDOW_SECONDS: detection.incidentWindowSeconds,
          INCIDENT_MAX_SECONDS: detection.incidentMaxSeconds,
          INCIDENT_MAX_ALERTS: detection.incidentMaxAlerts,
        }),
        [],
      ),
      externalPorts: [],
      port: opsPort("metrics", 9464),
      ingress: "monitoring",
      exposed: false,
      persistentState: false,
    },
    {
      name: "alerter",
      kind: "Deployment",
      image: alerter.image,
      replicas: alerter.replicas,
      resources: alerter.resources,
      ...withBackends(
        spec,
        ["kafka", "redis"],
        // Its delivery log is keyed by alert id, and ids repeat across pipelines sharing a Redis.
        plainEnv({
          ALERTER_PORT: 9465,
          ALERT_EMAIL_TO: alerter.emailTo.join(","),
          DASHBOARD_URL: alerter.dashboardUrl,
          REDIS_KEY_PREFIX: redisKeyPrefix("soc-alerter", pipeline),
        }),
        [
          ...secretFile("SLACK_WEBHOOK_URLS", alerter.slackWebhookUrlsSecretRef),
          ...secretFile("DISCORD_WEBHOOK_URLS", alerter.discordWebhookUrlsSecretRef),
          ...secretFile("SMTP_URL", alerter.smtpUrlSecretRef),
        ],
      ),
      externalPorts: [HTTPS, ...(alerter.smtpUrlSecretRef === undefined ? [] : SMTP_PORTS)],
      port: opsPort("metrics", 9465),
      ingress: "monitoring",
      exposed: false,
      persistentState: false,
    },
    ...spec.collectors.map((collector) => collectorComponent(spec, collector)),
  ];
  if (reporter.enabled) {
    list.push({
      name: "reporter",
      kind: "CronJob",
      image: reporter.image,
      replicas: undefined,
      resources: reporter.resources,
      ...withBackends(
        spec,
        ["elasticsearch"],
        plainEnv({
          REPORT_EMAIL_TO: reporter.emailTo.join(","),
          REPORT_DAY_OF_MONTH: reporter.dayOfMonth,
          REPORT_HOUR_UTC: reporter.hourUtc,
        }),
        secretFile("SMTP_URL", reporter.smtpUrlSecretRef),
      ),
      externalPorts: SMTP_PORTS,
      ingress: "monitoring",
      exposed: false,
      persistentState: false,
      // The run reads the day and hour too: a late start still reports the month before that day.
      schedule: {
        cron: `0 ${reporter.hourUtc} ${reporter.dayOfMonth} * *`,
        startingDeadlineSeconds: REPORT_STARTING_DEADLINE_SECONDS,
      },
    });
  }
  if (dashboard.enabled) {
    list.push({
      name: "dashboard",
      kind: "Deployment",
      image: dashboard.image,
      replicas: dashboard.replicas,
      resources: dashboard.resources,
      // Static files and /config.json: browsers call the API themselves, the server calls nothing.
      ...withBackends(
        spec,
        [],
        plainEnv({ DASHBOARD_PORT: 3000, DASHBOARD_HOST: "0.0.0.0", API_BASE_URL: dashboard.apiBaseUrl ?? "" }),
        [],
      ),
      externalPorts: [],
      port: { name: "http", number: 3000, readinessPath: "/config.json", livenessPath: "/config.json" },
      ingress: "clients",
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
      ...withBackends(
        spec,
        ["kafka"],
        plainEnv({ SCAN_QUERIES: scanner.queries.join(","), SCAN_STATE_FILE: `${STATE_DIR}/findings.json` }),
        secretFile("GITHUB_TOKEN", scanner.githubTokenSecretRef),
      ),
      // GitHub's API.
      externalPorts: [HTTPS],
      ingress: "monitoring",
      exposed: false,
      persistentState: true,
      schedule: { cron: scanner.schedule, startingDeadlineSeconds: HOURLY_STARTING_DEADLINE_SECONDS },
    });
  }
  if (spec.retention.enabled) {
    list.push({
      name: "retention",
      kind: "CronJob",
      image: spec.retention.image,
      replicas: undefined,
      resources: spec.retention.resources,
      // Its policy and index layout are in the ConfigMap (sharedSettings), read by the writers too.
      ...withBackends(spec, ["elasticsearch"], [], []),
      externalPorts: [],
      ingress: "monitoring",
      exposed: false,
      persistentState: false,
      schedule: { cron: spec.retention.schedule, startingDeadlineSeconds: HOURLY_STARTING_DEADLINE_SECONDS },
    });
  }
  return list.map((component) => {
    const telemetry = telemetryEnv(pipeline, component.name);
    return {
      ...component,
      env: [...component.env, ...telemetry.env],
      secretFiles: [...component.secretFiles, ...telemetry.secretFiles],
    };
  });
}
