/** The SocPipeline custom resource: one pipeline (API, workers, alerter, collectors, reporter, scanner). */
import { DEFAULT_LAYOUT, DEFAULT_LOGS_PARTITIONS, DEFAULT_RETENTION } from "@soc/shared";
import { AWS_REGION_PATTERN, SASL_MECHANISMS } from "@soc/shared/kafka";
import { z } from "zod";
import { collector } from "./collectors.ts";
import { detection } from "./detection.ts";
import {
  conditions,
  image,
  ipOrCidr,
  labelSelector,
  replicas,
  resources,
  secretKeyRef,
  urlWithoutCredentials,
} from "./common.ts";

export { COLLECTOR_SECRETS, COLLECTOR_SETTINGS, COLLECTOR_TYPES, type CollectorType } from "./collectors.ts";

// CEL rules guard with has(): the API server also checks them against a bare `{}` default.

/** A server reached by URL: given in the clear, or from a Secret when the URL carries credentials. */
const connectionFields = (what: string) => ({
  url: urlWithoutCredentials(z.string().min(1).max(2048).describe(`${what} URL without credentials.`)).optional(),
  urlSecretRef: secretKeyRef.optional().describe(`Secret key holding the ${what} URL, for URLs with credentials.`),
  caSecretRef: secretKeyRef
    .optional()
    .describe(`Secret key holding the PEM CA that signed the ${what} server's certificate (mounted as a file).`),
});
/** A five-field cron expression, run in UTC. */
const cronSchedule = (fallback: string, what: string) =>
  z
    .string()
    .regex(/^(\S+\s+){4}\S+$/, "must be a five-field cron expression")
    .default(fallback)
    .describe(`Cron schedule of ${what} (UTC).`);
const exactlyOneUrl = {
  rule: "has(self.url) != has(self.urlSecretRef)",
  message: "set exactly one of url and urlSecretRef",
};
const atMostOneUsername = {
  rule: "!has(self.username) || !has(self.usernameSecretRef)",
  message: "set at most one of username and usernameSecretRef",
};

/** A rule the API server checks (CEL) and the operator checks again (zod), with one message. */
interface CheckedTwice<T> {
  holds: (value: T) => boolean;
  rule: string;
  message: string;
}
const checkedTwice = <T extends z.ZodType>(schema: T, rules: CheckedTwice<z.output<T>>[]) =>
  schema
    .superRefine((value, ctx) => {
      for (const { holds, message } of rules) if (!holds(value)) ctx.addIssue({ code: "custom", message });
    })
    .meta({ "x-kubernetes-validations": rules.map(({ rule, message }) => ({ rule, message })) });

const MSK_IAM = "AWS_MSK_IAM";
const kafkaSasl = checkedTwice(
  z.object({
    mechanism: z
      .enum(SASL_MECHANISMS)
      .describe(
        "PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512 with a user and password; AWS_MSK_IAM: Amazon MSK's IAM sign-in with the pods' AWS credentials (IRSA or EKS Pod Identity), over tls.",
      ),
    username: z.string().min(1).max(256).optional(),
    usernameSecretRef: secretKeyRef.optional(),
    passwordSecretRef: secretKeyRef.optional().describe("Required with PLAIN and SCRAM."),
    region: z
      .string()
      .regex(AWS_REGION_PATTERN, "must be an AWS region such as us-east-1")
      .optional()
      .describe("AWS region of the MSK cluster, with AWS_MSK_IAM only: the token is signed for it."),
  }),
  [
    {
      holds: (s) => s.mechanism === MSK_IAM || (s.username === undefined) !== (s.usernameSecretRef === undefined),
      rule: `self.mechanism == '${MSK_IAM}' || has(self.username) != has(self.usernameSecretRef)`,
      message: "set exactly one of username and usernameSecretRef",
    },
    {
      holds: (s) => s.mechanism === MSK_IAM || s.passwordSecretRef !== undefined,
      rule: `self.mechanism == '${MSK_IAM}' || has(self.passwordSecretRef)`,
      message: "passwordSecretRef is required with PLAIN and SCRAM",
    },
    {
      holds: (s) => s.mechanism === MSK_IAM || s.region === undefined,
      rule: `self.mechanism == '${MSK_IAM}' || !has(self.region)`,
      message: "region is for AWS_MSK_IAM only",
    },
    {
      holds: (s) => s.mechanism !== MSK_IAM || s.region !== undefined,
      rule: `self.mechanism != '${MSK_IAM}' || has(self.region)`,
      message: "AWS_MSK_IAM needs region: the MSK cluster's AWS region, e.g. us-east-1",
    },
    {
      holds: (s) =>
        s.mechanism !== MSK_IAM ||
        (s.username === undefined && s.usernameSecretRef === undefined && s.passwordSecretRef === undefined),
      rule: `self.mechanism != '${MSK_IAM}' || !(has(self.username) || has(self.usernameSecretRef) || has(self.passwordSecretRef))`,
      message:
        "AWS_MSK_IAM signs in with the pods' AWS credentials: set no username, usernameSecretRef or passwordSecretRef",
    },
  ],
);

const kafka = checkedTwice(
  z.object({
    brokers: z
      .array(z.string().regex(/^[^\s:,]+:[0-9]{1,5}$/, "must be host:port"))
      .min(1)
      .max(32)
      .describe("Bootstrap brokers, host:port."),
    topics: z
      .object({
        logs: z.string().min(1).max(249).default("logs"),
        configUpdates: z.string().min(1).max(249).default("config-updates"),
        highPriorityAlerts: z.string().min(1).max(249).default("high-priority-alerts"),
      })
      .prefault({})
      .describe("Topic names; dead-letter topics are these with a -dlq suffix."),
    logsPartitions: z
      .number()
      .int()
      .min(1)
      .max(1000)
      .default(DEFAULT_LOGS_PARTITIONS)
      .describe(
        "Partitions of the logs topic, the most workers that share its load. The operator creates the topic with it and raises it to the workers' maxReplicas when that is higher; it never lowers it (Kafka cannot remove partitions). Order holds per key only (docs/scaling.md).",
      ),
    tls: z
      .object({
        caSecretRef: secretKeyRef
          .optional()
          .describe("PEM CA of the brokers' certificates; the system CAs when unset."),
        certSecretRef: secretKeyRef.optional().describe("PEM client certificate, for mutual TLS."),
        keySecretRef: secretKeyRef.optional().describe("PEM private key of certSecretRef."),
      })
      .optional()
      .meta({
        "x-kubernetes-validations": [
          {
            rule: "has(self.certSecretRef) == has(self.keySecretRef)",
            message: "set both certSecretRef and keySecretRef, or neither",
          },
        ],
      })
      .describe("TLS to the brokers (security protocol SSL, or SASL_SSL with sasl)."),
    sasl: kafkaSasl
      .optional()
      .describe("SASL authentication (security protocol SASL_PLAINTEXT, or SASL_SSL with tls)."),
  }),
  [
    {
      holds: (k) => k.sasl?.mechanism !== MSK_IAM || k.tls !== undefined,
      rule: `!has(self.sasl) || self.sasl.mechanism != '${MSK_IAM}' || has(self.tls)`,
      message:
        "AWS_MSK_IAM needs tls: MSK's IAM listeners accept TLS only (tls: {} trusts the public CAs that sign MSK's certificates)",
    },
  ],
).describe("Kafka cluster the pipeline runs on.");

const api = z
  .object({
    image: image("api"),
    replicas: replicas(2),
    resources: resources({ cpu: "100m", memory: "192Mi", memoryLimit: "512Mi" }),
    apiKeysSecretRef: secretKeyRef.describe("Secret key holding API keys as role:key pairs (ingest, read, admin)."),
    frontendOrigins: z.array(z.url()).max(16).default([]).describe("Origins allowed by CORS (the dashboard)."),
  })
  .describe("HTTP API: log ingest, alerts, whitelist, reports.");

const autoscaling = z
  .object({
    enabled: z.boolean().default(true),
    minReplicas: z.number().int().min(1).max(100).default(1),
    maxReplicas: z.number().int().min(1).max(100).default(6),
    lagThreshold: z.number().int().min(1).default(1000).describe("Target consumer lag per worker replica (messages)."),
    pollingIntervalSeconds: z.number().int().min(1).max(300).default(5).describe("How often the lag is read."),
    scaleDownStabilizationSeconds: z
      .number()
      .int()
      .min(0)
      .max(3600)
      .default(300)
      .describe("Scale down only to the highest recommendation within this window."),
    offsetResetPolicy: z
      .enum(["earliest", "latest"])
      .default("earliest")
      .describe("Where the worker group starts without a committed offset; counts such partitions as KEDA does."),
  })
  .prefault({})
  .meta({
    "x-kubernetes-validations": [
      {
        rule: "!has(self.minReplicas) || !has(self.maxReplicas) || self.minReplicas <= self.maxReplicas",
        message: "minReplicas must not exceed maxReplicas",
      },
    ],
  })
  .describe("Scale workers on the consumer lag of their group.");

const worker = z
  .object({
    image: image("worker"),
    replicas: replicas(1).describe("Pods when autoscaling is disabled."),
    resources: resources({ cpu: "250m", memory: "256Mi", memoryLimit: "768Mi" }),
    groupId: z.string().min(1).max(249).default("soc-worker").describe("Kafka consumer group of the workers."),
    autoscaling,
    detection,
  })
  .prefault({})
  .describe("Analysis workers: logs → detection → Elasticsearch and alerts.");

const alerter = z
  .object({
    image: image("alerter"),
    replicas: replicas(1),
    resources: resources({ cpu: "50m", memory: "128Mi", memoryLimit: "256Mi" }),
    slackWebhookUrlsSecretRef: secretKeyRef.optional().describe("Comma-separated Slack incoming-webhook URLs."),
    discordWebhookUrlsSecretRef: secretKeyRef.optional().describe("Comma-separated Discord webhook URLs."),
    smtpUrlSecretRef: secretKeyRef.optional().describe("smtp(s)://user:password@host:port for email alerts."),
    emailTo: z.array(z.email()).max(64).default([]),
    dashboardUrl: urlWithoutCredentials(z.url().max(2048).describe("Linked from every notification.")).optional(),
  })
  .prefault({})
  .describe("Plain-English notifications on Slack, Discord and email.");

const reporter = z
  .object({
    enabled: z.boolean().default(false),
    image: image("reporter"),
    resources: resources({ cpu: "50m", memory: "192Mi", memoryLimit: "512Mi" }),
    smtpUrlSecretRef: secretKeyRef.optional(),
    emailTo: z.array(z.email()).max(64).default([]),
    dayOfMonth: z
      .number()
      .int()
      .min(1)
      .max(28)
      .default(1)
      .describe("Day of the month the CronJob runs on (UTC); the report covers the month before."),
    hourUtc: z.number().int().min(0).max(23).default(6).describe("Hour (UTC) of that day the CronJob runs at."),
  })
  .prefault({})
  .meta({
    "x-kubernetes-validations": [
      {
        rule: "!has(self.enabled) || !self.enabled || (has(self.smtpUrlSecretRef) && size(self.emailTo) > 0)",
        message: "smtpUrlSecretRef and emailTo are required when the reporter is enabled",
      },
    ],
  })
  .describe("Monthly PDF report by email, as a CronJob: one run per month, never emailed twice.");

const credentialScanner = z
  .object({
    enabled: z.boolean().default(false),
    image: image("credential-scanner"),
    resources: resources({ cpu: "100m", memory: "192Mi", memoryLimit: "512Mi" }),
    schedule: cronSchedule("17 * * * *", "the scan"),
    githubTokenSecretRef: secretKeyRef.optional(),
    queries: z
      .array(z.string().min(1).max(256))
      .max(64)
      .default([])
      .describe("GitHub code-search queries, e.g. org:acme."),
  })
  .prefault({})
  .meta({
    "x-kubernetes-validations": [
      {
        rule: "!has(self.enabled) || !self.enabled || (has(self.githubTokenSecretRef) && size(self.queries) > 0)",
        message: "githubTokenSecretRef and queries are required when the scanner is enabled",
      },
    ],
  })
  .describe("Leaked-credential scan of GitHub, as a CronJob.");

const indexPeriod = z.enum(["day", "month"]);
const retentionDays = (fallback: number, what: string) =>
  z.number().int().min(1).max(36_500).default(fallback).describe(`Days ${what} are kept, today (UTC) not counted.`);

const retention = z
  .object({
    enabled: z
      .boolean()
      .default(true)
      .describe("Delete what the policy no longer keeps; false keeps everything for ever."),
    normalDays: retentionDays(DEFAULT_RETENTION.normalDays, "normal logs"),
    anomalyDays: retentionDays(DEFAULT_RETENTION.anomalyDays, "anomalies (alerts and incidents)"),
    normalIndexPeriod: indexPeriod
      .default(DEFAULT_LAYOUT.normal)
      .describe("Event time one index of normal logs covers: the step in which they are deleted."),
    anomalyIndexPeriod: indexPeriod
      .default(DEFAULT_LAYOUT.anomalies)
      .describe("Event time one index of anomalies covers; a month keeps the shard count low."),
    schedule: cronSchedule("41 * * * *", "the retention run"),
    image: image("retention"),
    resources: resources({ cpu: "20m", memory: "96Mi", memoryLimit: "192Mi" }),
  })
  .prefault({})
  .refine((r) => r.anomalyDays >= r.normalDays, {
    path: ["anomalyDays"],
    message: "anomalies must be kept at least as long as normal logs",
  })
  .meta({
    "x-kubernetes-validations": [
      {
        rule: "!has(self.normalDays) || !has(self.anomalyDays) || self.anomalyDays >= self.normalDays",
        message: "anomalies must be kept at least as long as normal logs",
      },
    ],
  })
  .describe(
    "How long processed logs are kept in Elasticsearch (docs/retention.md): indices per family and period behind the index alias, deleted by a CronJob.",
  );

const dashboard = z
  .object({
    enabled: z.boolean().default(false),
    image: image("dashboard"),
    replicas: replicas(1),
    resources: resources({ cpu: "20m", memory: "64Mi", memoryLimit: "128Mi" }),
    apiBaseUrl: urlWithoutCredentials(
      z
        .url()
        .max(2048)
        .describe(
          "Where browsers reach the API (an Ingress, or http://localhost:8000 with port-forward); list the dashboard's origin in api.frontendOrigins.",
        ),
    ).optional(),
  })
  .prefault({})
  .meta({
    "x-kubernetes-validations": [
      {
        rule: "!has(self.enabled) || !self.enabled || has(self.apiBaseUrl)",
        message: "apiBaseUrl is required when the dashboard is enabled",
      },
    ],
  })
  .describe("The web dashboard (alerts, logs, whitelist, reports).");

const peer = z
  .object({ namespaceSelector: labelSelector.optional(), podSelector: labelSelector.optional() })
  .meta({
    "x-kubernetes-validations": [
      {
        rule: "has(self.namespaceSelector) || has(self.podSelector)",
        message: "set namespaceSelector, podSelector or both",
      },
    ],
  })
  .describe("Pods (podSelector) in namespaces (namespaceSelector); a podSelector alone means this namespace.");

const networkPolicy = z
  .object({
    ingressFrom: z
      .array(peer)
      .max(16)
      .default([])
      .describe(
        "Who may reach the API, the dashboard and the log drains, e.g. the ingress controller's namespace; empty: only the pipeline's own pods.",
      ),
    monitoringNamespace: z
      .string()
      .max(63)
      .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, "must be a namespace name")
      .optional()
      .describe("Namespace whose pods may scrape the components' metrics ports; unset: nobody."),
    backends: z
      .object({
        cidrs: z
          .array(ipOrCidr)
          .max(32)
          .default([])
          .describe("Address blocks of the Kafka, Elasticsearch and Redis servers."),
        namespaceSelector: labelSelector
          .optional()
          .describe("Namespaces the Kafka, Elasticsearch and Redis pods run in."),
        podSelector: labelSelector
          .optional()
          .describe("The Kafka, Elasticsearch and Redis pods (with namespaceSelector: in those namespaces)."),
      })
      .prefault({})
      .describe(
        "Where Kafka, Elasticsearch and Redis are. NetworkPolicy cannot match host names: their ports are open to these only, or to any address when none is set.",
      ),
  })
  .prefault({})
  .describe(
    "The NetworkPolicies the operator writes: default deny, ingress only from these, egress only to DNS, the backends and the notification/provider APIs on 443. They need a CNI that enforces NetworkPolicy.",
  );

const telemetry = z
  .object({
    endpoint: urlWithoutCredentials(
      z
        .url({ protocol: /^https?$/ })
        .max(2048)
        .describe(
          "OTLP/HTTP base URL of a collector or trace backend, e.g. http://otel-collector.observability:4318 (traces go to <endpoint>/v1/traces). Unset: the components load no tracing SDK; trace context still travels through them.",
        ),
    ).optional(),
    headersSecretRef: secretKeyRef
      .optional()
      .describe("Secret key holding headers for every export (an API token), as key=value pairs separated by commas."),
    samplingRatio: z
      .number()
      .min(0)
      .max(1)
      .default(1)
      .describe(
        "Share of new traces recorded (parentbased_traceidratio): a request that arrives with a trace context keeps its caller's decision.",
      ),
  })
  .refine((telemetry) => telemetry.headersSecretRef === undefined || telemetry.endpoint !== undefined, {
    path: ["headersSecretRef"],
    message: "headersSecretRef needs an endpoint",
  })
  .prefault({})
  .meta({
    "x-kubernetes-validations": [
      { rule: "!has(self.headersSecretRef) || has(self.endpoint)", message: "headersSecretRef needs an endpoint" },
    ],
  })
  .describe(
    "OpenTelemetry traces of the components (docs/observability.md): one trace follows a log from the API through Kafka, the worker and the alerter.",
  );

export const socPipelineSpec = z.object({
  kafka,
  elasticsearch: z
    .object({
      ...connectionFields("Elasticsearch"),
      index: z.string().min(1).max(255).default("processed_logs"),
      apiKeySecretRef: secretKeyRef
        .optional()
        .describe("Secret key holding an Elasticsearch API key (the encoded id:key)."),
      username: z.string().min(1).max(256).optional(),
      usernameSecretRef: secretKeyRef.optional(),
      passwordSecretRef: secretKeyRef.optional().describe("Secret key holding the password of username (basic auth)."),
    })
    .prefault({ url: "http://elasticsearch:9200" })
    .meta({
      "x-kubernetes-validations": [
        exactlyOneUrl,
        atMostOneUsername,
        {
          rule: "has(self.passwordSecretRef) == (has(self.username) || has(self.usernameSecretRef))",
          message: "set username (or usernameSecretRef) and passwordSecretRef together",
        },
        {
          rule: "!has(self.apiKeySecretRef) || !has(self.passwordSecretRef)",
          message: "set either apiKeySecretRef or a username and password, not both",
        },
      ],
    }),
  redis: z
    .object({
      ...connectionFields("Redis"),
      username: z.string().min(1).max(256).optional().describe("ACL user; 'default' when unset."),
      passwordSecretRef: secretKeyRef.optional().describe("Secret key holding the Redis password."),
    })
    .prefault({ url: "redis://redis:6379" })
    .meta({ "x-kubernetes-validations": [exactlyOneUrl] }),
  api,
  worker,
  alerter,
  collectors: z
    .array(collector)
    .max(32)
    .default([])
    .meta({ "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name"] }),
  reporter,
  credentialScanner,
  dashboard,
  retention,
  networkPolicy,
  telemetry,
});
export type SocPipelineSpec = z.infer<typeof socPipelineSpec>;
export type CollectorSpec = SocPipelineSpec["collectors"][number];

export const componentStatus = z.object({
  name: z.string(),
  kind: z.enum(["Deployment", "CronJob"]),
  desiredReplicas: z.number().int().min(0),
  readyReplicas: z.number().int().min(0),
  ready: z.boolean(),
});
export type ComponentStatus = z.infer<typeof componentStatus>;

export const socPipelineStatus = z.object({
  observedGeneration: z.number().int().min(0).optional(),
  conditions: conditions.optional(),
  components: z.array(componentStatus).max(64).optional(),
  readyComponents: z.string().optional().describe("ready/total, for kubectl get."),
  logsPartitions: z.number().int().min(0).optional().describe("Partitions of the logs topic, as Kafka reports them."),
  autoscaling: z
    .object({
      totalLag: z.number().int().min(0),
      desiredReplicas: z.number().int().min(0),
      currentReplicas: z.number().int().min(0),
      lastScaleTime: z.string().optional(),
    })
    .optional(),
  whitelist: z
    .object({
      publishedEntries: z.number().int().min(0),
      lastPublishedTime: z.string().optional(),
      sources: z.number().int().min(0).describe("IpWhitelist objects referring to this pipeline."),
    })
    .optional(),
});
export type SocPipelineStatus = z.infer<typeof socPipelineStatus>;
