import { describe, expect, it } from "vitest";
import { socPipelineObject, type SocPipeline } from "../api/v1alpha1/index.ts";
import type { KubeObject } from "../kube/client.ts";
import { desiredChildren } from "./children.ts";

/** A pipeline as the API server returns it: parsed with the schema, so every default is filled in. */
function pipeline(spec: Record<string, unknown> = {}): SocPipeline {
  return socPipelineObject.parse({
    apiVersion: "socpipeline.io/v1alpha1",
    kind: "SocPipeline",
    metadata: { name: "shop", namespace: "soc", uid: "uid-1", generation: 3, resourceVersion: "7" },
    spec: { kafka: { brokers: ["kafka:9092"] }, api: { apiKeysSecretRef: { name: "keys", key: "api" } }, ...spec },
  });
}

const summary = (objects: KubeObject[]): string[] => objects.map((o) => `${o.kind}/${o.metadata.name}`).sort();
type Container = {
  env: { name: string; value?: string; valueFrom?: unknown }[];
  securityContext: Record<string, unknown>;
  image: string;
};
const podOf = (
  object: KubeObject | undefined,
): { securityContext: Record<string, unknown>; containers: Container[] } => {
  const spec = object?.spec as {
    template?: { spec: unknown };
    jobTemplate?: { spec: { template: { spec: unknown } } };
  };
  return (spec.template?.spec ?? spec.jobTemplate?.spec.template.spec) as {
    securityContext: Record<string, unknown>;
    containers: Container[];
  };
};
type Pod = ReturnType<typeof podOf> & {
  volumes?: {
    name: string;
    projected?: { sources: { secret: { name: string; items: { key: string; path: string }[] } }[] };
  }[];
};
/** The Secret keys a pod mounts: "secret/key -> file". */
const secretsOf = (pod: Pod): string[] =>
  (pod.volumes?.find((v) => v.name === "secrets")?.projected?.sources ?? []).flatMap((s) =>
    s.secret.items.map((i) => `${s.secret.name}/${i.key} -> ${i.path}`),
  );
const find = (objects: KubeObject[], kind: string, name: string): KubeObject | undefined =>
  objects.find((o) => o.kind === kind && o.metadata.name === name);

describe("desiredChildren", () => {
  it.each([
    {
      case: "the defaults: API, autoscaled workers and alerter",
      spec: {},
      children: [
        "ConfigMap/shop-config",
        "CronJob/shop-retention",
        "Deployment/shop-alerter",
        "Deployment/shop-api",
        "Deployment/shop-worker",
        "NetworkPolicy/shop-alerter",
        "NetworkPolicy/shop-api",
        "NetworkPolicy/shop-default-deny",
        "NetworkPolicy/shop-retention",
        "NetworkPolicy/shop-worker",
        "PodDisruptionBudget/shop-api",
        "PodDisruptionBudget/shop-worker",
        "Service/shop-api",
      ],
    },
    {
      case: "a pulling collector adds its Deployment, Service, NetworkPolicy and a volume for its cursor",
      spec: { collectors: [{ name: "pg", type: "postgres", settings: { POSTGRES_LOG_DIR: "/logs" } }] },
      children: [
        "ConfigMap/shop-config",
        "CronJob/shop-retention",
        "Deployment/shop-alerter",
        "Deployment/shop-api",
        "Deployment/shop-collector-pg",
        "Deployment/shop-worker",
        "NetworkPolicy/shop-alerter",
        "NetworkPolicy/shop-api",
        "NetworkPolicy/shop-collector-pg",
        "NetworkPolicy/shop-default-deny",
        "NetworkPolicy/shop-retention",
        "NetworkPolicy/shop-worker",
        "PersistentVolumeClaim/shop-collector-pg",
        "PodDisruptionBudget/shop-api",
        "PodDisruptionBudget/shop-worker",
        "Service/shop-api",
        "Service/shop-collector-pg",
      ],
    },
    {
      case: "a log drain collector keeps no state",
      spec: { collectors: [{ name: "vercel", type: "vercel" }] },
      children: [
        "ConfigMap/shop-config",
        "CronJob/shop-retention",
        "Deployment/shop-alerter",
        "Deployment/shop-api",
        "Deployment/shop-collector-vercel",
        "Deployment/shop-worker",
        "NetworkPolicy/shop-alerter",
        "NetworkPolicy/shop-api",
        "NetworkPolicy/shop-collector-vercel",
        "NetworkPolicy/shop-default-deny",
        "NetworkPolicy/shop-retention",
        "NetworkPolicy/shop-worker",
        "PodDisruptionBudget/shop-api",
        "PodDisruptionBudget/shop-worker",
        "Service/shop-api",
        "Service/shop-collector-vercel",
      ],
    },
    {
      case: "the scanner is a CronJob with a volume for its findings; one API pod gets no PDB",
      spec: {
        api: { apiKeysSecretRef: { name: "keys", key: "api" }, replicas: 1 },
        credentialScanner: { enabled: true, githubTokenSecretRef: { name: "gh", key: "token" }, queries: ["org:acme"] },
      },
      children: [
        "ConfigMap/shop-config",
        "CronJob/shop-credential-scanner",
        "CronJob/shop-retention",
        "Deployment/shop-alerter",
        "Deployment/shop-api",
        "Deployment/shop-worker",
        "NetworkPolicy/shop-alerter",
        "NetworkPolicy/shop-api",
        "NetworkPolicy/shop-credential-scanner",
        "NetworkPolicy/shop-default-deny",
        "NetworkPolicy/shop-retention",
        "NetworkPolicy/shop-worker",
        "PersistentVolumeClaim/shop-credential-scanner",
        "PodDisruptionBudget/shop-worker",
        "Service/shop-api",
      ],
    },
    {
      case: "the dashboard adds a Deployment, a Service and a NetworkPolicy",
      spec: { dashboard: { enabled: true, apiBaseUrl: "https://soc.example.com" } },
      children: [
        "ConfigMap/shop-config",
        "CronJob/shop-retention",
        "Deployment/shop-alerter",
        "Deployment/shop-api",
        "Deployment/shop-dashboard",
        "Deployment/shop-worker",
        "NetworkPolicy/shop-alerter",
        "NetworkPolicy/shop-api",
        "NetworkPolicy/shop-dashboard",
        "NetworkPolicy/shop-default-deny",
        "NetworkPolicy/shop-retention",
        "NetworkPolicy/shop-worker",
        "PodDisruptionBudget/shop-api",
        "PodDisruptionBudget/shop-worker",
        "Service/shop-api",
        "Service/shop-dashboard",
      ],
    },
  ])("$case", ({ spec, children }) => {
    expect(summary(desiredChildren(pipeline(spec)))).toEqual(children);
  });

  it("runs the retention as an hourly CronJob of its own image that reaches Elasticsearch only, with the policy in the ConfigMap; none when disabled", () => {
    const objects = desiredChildren(
      pipeline({
        elasticsearch: { urlSecretRef: { name: "es", key: "url" } },
        retention: { normalDays: 14, anomalyDays: 365 },
      }),
    );
    const cronJob = find(objects, "CronJob", "shop-retention")?.spec as { schedule: string; concurrencyPolicy: string };
    expect(cronJob).toMatchObject({ schedule: "41 * * * *", concurrencyPolicy: "Forbid" });
    const pod = podOf(find(objects, "CronJob", "shop-retention"));
    expect(pod.containers[0]?.image).toBe("ghcr.io/soc-pipeline/retention:0.1.0");
    expect(secretsOf(pod as Pod)).toEqual(["es/url -> elasticsearch-url"]);
    expect(find(objects, "ConfigMap", "shop-config")?.data).toMatchObject({
      RETENTION_ENABLED: "true",
      RETENTION_NORMAL_DAYS: "14",
      RETENTION_ANOMALY_DAYS: "365",
      ELASTICSEARCH_NORMAL_INDEX_PERIOD: "day",
      ELASTICSEARCH_ANOMALY_INDEX_PERIOD: "month",
    });

    const kept = desiredChildren(pipeline({ retention: { enabled: false } }));
    expect(summary(kept).filter((name) => name.includes("retention"))).toEqual([]);
    expect(find(kept, "ConfigMap", "shop-config")?.data).toMatchObject({ RETENTION_ENABLED: "false" });
  });

  it("runs the reporter as a CronJob on spec.reporter's day and hour (UTC), one run at a time, retried, started up to 3 days late; none when disabled", () => {
    const objects = desiredChildren(
      pipeline({
        reporter: {
          enabled: true,
          smtpUrlSecretRef: { name: "smtp", key: "url" },
          emailTo: ["ciso@example.com"],
          dayOfMonth: 3,
          hourUtc: 7,
        },
      }),
    );
    expect(find(objects, "Deployment", "shop-reporter")).toBeUndefined();
    const cronJob = find(objects, "CronJob", "shop-reporter")?.spec;
    expect(cronJob).toMatchObject({
      schedule: "0 7 3 * *",
      timeZone: "Etc/UTC",
      concurrencyPolicy: "Forbid",
      startingDeadlineSeconds: 259_200,
      successfulJobsHistoryLimit: 3,
      failedJobsHistoryLimit: 3,
      jobTemplate: { spec: { backoffLimit: 2, template: { spec: { restartPolicy: "OnFailure" } } } },
    });
    const pod = podOf(find(objects, "CronJob", "shop-reporter"));
    expect(pod.containers[0]?.image).toBe("ghcr.io/soc-pipeline/reporter:0.1.0");
    // The run reads the schedule too, to tell which month is due however late it starts.
    expect(pod.containers[0]?.env).toEqual(
      expect.arrayContaining([
        { name: "REPORT_DAY_OF_MONTH", value: "3" },
        { name: "REPORT_HOUR_UTC", value: "7" },
        { name: "REPORT_EMAIL_TO", value: "ciso@example.com" },
      ]),
    );
    expect(secretsOf(pod as Pod)).toEqual(["smtp/url -> smtp-url"]);
    // Hourly jobs give up on a start missed by half an hour: the next hour's run does the work.
    expect(find(objects, "CronJob", "shop-retention")?.spec).toMatchObject({ startingDeadlineSeconds: 1_800 });

    expect(summary(desiredChildren(pipeline())).filter((name) => name.includes("reporter"))).toEqual([]);
  });

  it("is deterministic, labels every child and makes the pipeline its controlling owner", () => {
    const first = desiredChildren(pipeline());
    expect(desiredChildren(pipeline())).toEqual(first);
    for (const child of first) {
      expect(child.metadata.namespace).toBe("soc");
      expect(child.metadata.labels).toMatchObject({
        "socpipeline.io/pipeline": "shop",
        "app.kubernetes.io/managed-by": "soc-operator",
      });
      expect(child.metadata.ownerReferences).toEqual([
        {
          apiVersion: "socpipeline.io/v1alpha1",
          kind: "SocPipeline",
          name: "shop",
          uid: "uid-1",
          controller: true,
          blockOwnerDeletion: true,
        },
      ]);
    }
  });

  it("gives every pod the Pod Security 'restricted' settings", () => {
    const objects = desiredChildren(
      pipeline({
        credentialScanner: { enabled: true, githubTokenSecretRef: { name: "gh", key: "t" }, queries: ["org:a"] },
      }),
    );
    const workloads = objects.filter((o) => o.kind === "Deployment" || o.kind === "CronJob");
    expect(workloads.length).toBe(5);
    for (const workload of workloads) {
      const pod = podOf(workload);
      expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } });
      for (const container of pod.containers) {
        expect(container.securityContext).toEqual({
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
          runAsNonRoot: true,
          capabilities: { drop: ["ALL"] },
        });
      }
    }
  });

  it("leaves worker replicas to the autoscaler, and sets them when autoscaling is off", () => {
    const autoscaled = find(desiredChildren(pipeline()), "Deployment", "shop-worker")?.spec as Record<string, unknown>;
    expect(autoscaled).not.toHaveProperty("replicas");
    const fixed = find(
      desiredChildren(pipeline({ worker: { replicas: 3, autoscaling: { enabled: false } } })),
      "Deployment",
      "shop-worker",
    )?.spec as Record<string, unknown>;
    expect(fixed.replicas).toBe(3);
  });

  it("takes credentials only from Secret references, as files, and settings from the spec", () => {
    const objects = desiredChildren(
      pipeline({
        elasticsearch: { urlSecretRef: { name: "es", key: "url" } },
        alerter: { slackWebhookUrlsSecretRef: { name: "slack", key: "urls" }, emailTo: ["soc@example.com"] },
        worker: { detection: { bruteForceThreshold: 9, keywords: ["breach"] } },
      }),
    );
    const config = find(objects, "ConfigMap", "shop-config")?.data as Record<string, string>;
    expect(config).not.toHaveProperty("ELASTICSEARCH_URL");
    expect(config).toMatchObject({
      KAFKA_BROKER: "kafka:9092",
      TOPIC_CONFIG_UPDATES: "config-updates",
      WHITELISTED_IPS: "",
    });
    const alerter = podOf(find(objects, "Deployment", "shop-alerter"));
    expect(alerter.containers[0]?.env).toContainEqual({
      name: "SLACK_WEBHOOK_URLS_FILE",
      value: "/var/run/secrets/soc/slack-webhook-urls",
    });
    expect(secretsOf(alerter)).toEqual(["slack/urls -> slack-webhook-urls"]);
    // Only the components that talk to Elasticsearch get its URL.
    const worker = podOf(find(objects, "Deployment", "shop-worker"));
    expect(worker.containers[0]?.env).toContainEqual({
      name: "ELASTICSEARCH_URL_FILE",
      value: "/var/run/secrets/soc/elasticsearch-url",
    });
    expect(secretsOf(worker)).toEqual(["es/url -> elasticsearch-url"]);
    for (const workload of objects.filter((o) => o.kind === "Deployment" || o.kind === "CronJob")) {
      for (const variable of podOf(workload).containers[0]?.env ?? [])
        expect(variable, `${workload.metadata.name} ${variable.name}`).not.toHaveProperty("valueFrom");
    }
    const workerEnv = podOf(find(objects, "Deployment", "shop-worker")).containers[0]?.env;
    expect(workerEnv).toContainEqual({ name: "BRUTE_FORCE_THRESHOLD", value: "9" });
    expect(workerEnv).toContainEqual({ name: "ANOMALY_KEYWORDS", value: "breach" });
  });

  it("mounts the Kafka, Elasticsearch and Redis credentials as files in the components that use each, and names them in *_FILE", () => {
    const objects = desiredChildren(
      pipeline({
        kafka: {
          brokers: ["kafka:9093"],
          tls: { caSecretRef: { name: "kafka-ca", key: "ca.crt" } },
          sasl: {
            mechanism: "SCRAM-SHA-512",
            username: "soc",
            passwordSecretRef: { name: "kafka-user", key: "password" },
          },
        },
        elasticsearch: {
          url: "https://es:9200",
          apiKeySecretRef: { name: "es", key: "api-key" },
          caSecretRef: { name: "es", key: "ca.crt" },
        },
        redis: { url: "rediss://redis:6380", username: "soc", passwordSecretRef: { name: "redis", key: "password" } },
        reporter: { enabled: true, smtpUrlSecretRef: { name: "smtp", key: "url" }, emailTo: ["a@example.com"] },
      }),
    );
    const workload = (name: string) => find(objects, "Deployment", name) ?? find(objects, "CronJob", name);
    const env = (name: string) =>
      Object.fromEntries((podOf(workload(name)).containers[0]?.env ?? []).map((e) => [e.name, e.value]));
    expect(env("shop-worker")).toMatchObject({
      KAFKA_SECURITY_PROTOCOL: "SASL_SSL",
      KAFKA_SASL_MECHANISM: "SCRAM-SHA-512",
      KAFKA_SASL_USERNAME: "soc",
      KAFKA_SASL_PASSWORD_FILE: "/var/run/secrets/soc/kafka-sasl-password",
      KAFKA_SSL_CA_FILE: "/var/run/secrets/soc/kafka-ssl-ca",
      ELASTICSEARCH_API_KEY_FILE: "/var/run/secrets/soc/elasticsearch-api-key",
      ELASTICSEARCH_CA_FILE: "/var/run/secrets/soc/elasticsearch-ca",
      REDIS_USERNAME: "soc",
      REDIS_PASSWORD_FILE: "/var/run/secrets/soc/redis-password",
    });
    expect(secretsOf(podOf(find(objects, "Deployment", "shop-worker")))).toEqual([
      "kafka-user/password -> kafka-sasl-password",
      "kafka-ca/ca.crt -> kafka-ssl-ca",
      "es/api-key -> elasticsearch-api-key",
      "es/ca.crt -> elasticsearch-ca",
      "redis/password -> redis-password",
    ]);
    // The reporter reads Elasticsearch only: no Kafka or Redis credentials in its pod.
    expect(secretsOf(podOf(find(objects, "CronJob", "shop-reporter")))).toEqual([
      "es/api-key -> elasticsearch-api-key",
      "es/ca.crt -> elasticsearch-ca",
      "smtp/url -> smtp-url",
    ]);
    expect(env("shop-reporter")).not.toHaveProperty("KAFKA_SASL_PASSWORD_FILE");
    const volume = (
      podOf(find(objects, "Deployment", "shop-api")) as Pod & { containers: { volumeMounts: unknown[] }[] }
    ).containers[0]?.volumeMounts;
    expect(volume).toContainEqual({ name: "secrets", mountPath: "/var/run/secrets/soc", readOnly: true });
    // No credential reaches the ConfigMap.
    expect(JSON.stringify(find(objects, "ConfigMap", "shop-config")?.data)).not.toMatch(/password|api-key|kafka-user/);
  });

  it.each([
    { case: "TLS only", kafka: { tls: {} }, protocol: "SSL" },
    {
      case: "SASL only",
      kafka: {
        sasl: {
          mechanism: "PLAIN",
          usernameSecretRef: { name: "k", key: "u" },
          passwordSecretRef: { name: "k", key: "p" },
        },
      },
      protocol: "SASL_PLAINTEXT",
    },
    { case: "neither", kafka: {}, protocol: undefined },
  ])("sets KAFKA_SECURITY_PROTOCOL from what is configured: $case", ({ kafka, protocol }) => {
    const env =
      podOf(find(desiredChildren(pipeline({ kafka: { brokers: ["kafka:9092"], ...kafka } })), "Deployment", "shop-api"))
        .containers[0]?.env ?? [];
    expect(env.find((e) => e.name === "KAFKA_SECURITY_PROTOCOL")?.value).toBe(protocol);
  });

  it("replaces a pulling collector's pod rather than rolling it, so its volume is never mounted twice", () => {
    const objects = desiredChildren(pipeline({ collectors: [{ name: "pg", type: "postgres" }] }));
    expect((find(objects, "Deployment", "shop-collector-pg")?.spec as { strategy: unknown }).strategy).toEqual({
      type: "Recreate",
    });
    expect(podOf(find(objects, "Deployment", "shop-collector-pg")).containers[0]?.env).toContainEqual({
      name: "COLLECTOR_CURSOR_FILE",
      value: "/var/lib/soc/cursor.json",
    });
  });

  it("exposes a syslog collector on 514/udp, 514/tcp and 6514 to the sources the spec names, its pods listening unprivileged", () => {
    const objects = desiredChildren(
      pipeline({
        networkPolicy: {
          ingressFrom: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "log-relays" } } }],
        },
        collectors: [{ name: "syslog", type: "syslog", replicas: 2, settings: { SYSLOG_TRANSPORTS: "udp,tcp,tls" } }],
      }),
    );
    expect((find(objects, "Service", "shop-collector-syslog")?.spec as { ports: unknown[] }).ports).toEqual([
      { name: "http", port: 8080, targetPort: "http", protocol: "TCP" },
      { name: "syslog-udp", port: 514, targetPort: "syslog-udp", protocol: "UDP" },
      { name: "syslog-tcp", port: 514, targetPort: "syslog-tcp", protocol: "TCP" },
      { name: "syslog-tls", port: 6514, targetPort: "syslog-tls", protocol: "TCP" },
    ]);
    const container = podOf(find(objects, "Deployment", "shop-collector-syslog")).containers[0];
    expect(container?.env).toEqual(
      expect.arrayContaining([
        { name: "SYSLOG_UDP_PORT", value: "5514" },
        { name: "SYSLOG_TCP_PORT", value: "5514" },
        { name: "SYSLOG_TLS_PORT", value: "6514" },
      ]),
    );
    const ingress = (
      find(objects, "NetworkPolicy", "shop-collector-syslog")?.spec as {
        ingress: { from: unknown[]; ports: unknown[] }[];
      }
    ).ingress;
    expect(ingress[0]?.from).toContainEqual({
      namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "log-relays" } },
    });
    expect(ingress[0]?.ports).toEqual([
      { port: 8080, protocol: "TCP" },
      { port: 5514, protocol: "UDP" },
      { port: 5514, protocol: "TCP" },
      { port: 6514, protocol: "TCP" },
    ]);
    expect(find(objects, "PersistentVolumeClaim", "shop-collector-syslog")).toBeUndefined();
    expect(find(objects, "PodDisruptionBudget", "shop-collector-syslog")).toBeDefined();
  });

  it("rolls pods when the shared settings change (config hash on the pod template)", () => {
    const hash = (p: SocPipeline) =>
      (
        find(desiredChildren(p), "Deployment", "shop-api")?.spec as {
          template: { metadata: { annotations: Record<string, string> } };
        }
      ).template.metadata.annotations["socpipeline.io/config-hash"];
    expect(hash(pipeline())).toBe(hash(pipeline()));
    expect(hash(pipeline({ kafka: { brokers: ["other:9092"] } }))).not.toBe(hash(pipeline()));
  });
});
