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
type Container = { env: { name: string; value?: string; valueFrom?: unknown }[]; securityContext: Record<string, unknown>; image: string };
const podOf = (object: KubeObject | undefined): { securityContext: Record<string, unknown>; containers: Container[] } => {
  const spec = object?.spec as { template?: { spec: unknown }; jobTemplate?: { spec: { template: { spec: unknown } } } };
  return (spec.template?.spec ?? spec.jobTemplate?.spec.template.spec) as { securityContext: Record<string, unknown>; containers: Container[] };
};
const find = (objects: KubeObject[], kind: string, name: string): KubeObject | undefined => objects.find((o) => o.kind === kind && o.metadata.name === name);

describe("desiredChildren", () => {
  it.each([
    {
      case: "the defaults: API, autoscaled workers and alerter",
      spec: {},
      children: ["ConfigMap/shop-config", "Deployment/shop-alerter", "Deployment/shop-api", "Deployment/shop-worker", "NetworkPolicy/shop-alerter", "NetworkPolicy/shop-api", "NetworkPolicy/shop-worker", "PodDisruptionBudget/shop-api", "PodDisruptionBudget/shop-worker", "Service/shop-api"],
    },
    {
      case: "a pulling collector adds its Deployment, Service, NetworkPolicy and a volume for its cursor",
      spec: { collectors: [{ name: "pg", type: "postgres", settings: { POSTGRES_LOG_DIR: "/logs" } }] },
      children: ["ConfigMap/shop-config", "Deployment/shop-alerter", "Deployment/shop-api", "Deployment/shop-collector-pg", "Deployment/shop-worker", "NetworkPolicy/shop-alerter", "NetworkPolicy/shop-api", "NetworkPolicy/shop-collector-pg", "NetworkPolicy/shop-worker", "PersistentVolumeClaim/shop-collector-pg", "PodDisruptionBudget/shop-api", "PodDisruptionBudget/shop-worker", "Service/shop-api", "Service/shop-collector-pg"],
    },
    {
      case: "a log drain collector keeps no state",
      spec: { collectors: [{ name: "vercel", type: "vercel" }] },
      children: ["ConfigMap/shop-config", "Deployment/shop-alerter", "Deployment/shop-api", "Deployment/shop-collector-vercel", "Deployment/shop-worker", "NetworkPolicy/shop-alerter", "NetworkPolicy/shop-api", "NetworkPolicy/shop-collector-vercel", "NetworkPolicy/shop-worker", "PodDisruptionBudget/shop-api", "PodDisruptionBudget/shop-worker", "Service/shop-api", "Service/shop-collector-vercel"],
    },
    {
      case: "the scanner is a CronJob with a volume for its findings; one API pod gets no PDB",
      spec: { api: { apiKeysSecretRef: { name: "keys", key: "api" }, replicas: 1 }, credentialScanner: { enabled: true, githubTokenSecretRef: { name: "gh", key: "token" }, queries: ["org:acme"] } },
      children: ["ConfigMap/shop-config", "CronJob/shop-credential-scanner", "Deployment/shop-alerter", "Deployment/shop-api", "Deployment/shop-worker", "NetworkPolicy/shop-alerter", "NetworkPolicy/shop-api", "NetworkPolicy/shop-credential-scanner", "NetworkPolicy/shop-worker", "PersistentVolumeClaim/shop-credential-scanner", "PodDisruptionBudget/shop-worker", "Service/shop-api"],
    },
    {
      case: "the dashboard adds a Deployment, a Service and a NetworkPolicy",
      spec: { dashboard: { enabled: true, apiBaseUrl: "https://soc.example.com" } },
      children: ["ConfigMap/shop-config", "Deployment/shop-alerter", "Deployment/shop-api", "Deployment/shop-dashboard", "Deployment/shop-worker", "NetworkPolicy/shop-alerter", "NetworkPolicy/shop-api", "NetworkPolicy/shop-dashboard", "NetworkPolicy/shop-worker", "PodDisruptionBudget/shop-api", "PodDisruptionBudget/shop-worker", "Service/shop-api", "Service/shop-dashboard"],
    },
  ])("$case", ({ spec, children }) => {
    expect(summary(desiredChildren(pipeline(spec)))).toEqual(children);
  });

  it("is deterministic, labels every child and makes the pipeline its controlling owner", () => {
    const first = desiredChildren(pipeline());
    expect(desiredChildren(pipeline())).toEqual(first);
    for (const child of first) {
      expect(child.metadata.namespace).toBe("soc");
      expect(child.metadata.labels).toMatchObject({ "socpipeline.io/pipeline": "shop", "app.kubernetes.io/managed-by": "soc-operator" });
      expect(child.metadata.ownerReferences).toEqual([{ apiVersion: "socpipeline.io/v1alpha1", kind: "SocPipeline", name: "shop", uid: "uid-1", controller: true, blockOwnerDeletion: true }]);
    }
  });

  it("gives every pod the Pod Security 'restricted' settings", () => {
    const objects = desiredChildren(pipeline({ credentialScanner: { enabled: true, githubTokenSecretRef: { name: "gh", key: "t" }, queries: ["org:a"] } }));
    const workloads = objects.filter((o) => o.kind === "Deployment" || o.kind === "CronJob");
    expect(workloads.length).toBe(4);
    for (const workload of workloads) {
      const pod = podOf(workload);
      expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } });
      for (const container of pod.containers) {
        expect(container.securityContext).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ["ALL"] } });
      }
    }
  });

  it("leaves worker replicas to the autoscaler, and sets them when autoscaling is off", () => {
    const autoscaled = find(desiredChildren(pipeline()), "Deployment", "shop-worker")?.spec as Record<string, unknown>;
    expect(autoscaled).not.toHaveProperty("replicas");
    const fixed = find(desiredChildren(pipeline({ worker: { replicas: 3, autoscaling: { enabled: false } } })), "Deployment", "shop-worker")?.spec as Record<string, unknown>;
    expect(fixed.replicas).toBe(3);
  });

  it("takes credentials only from Secret references and settings from the spec", () => {
    const objects = desiredChildren(
      pipeline({
        elasticsearch: { urlSecretRef: { name: "es", key: "url" } },
        alerter: { slackWebhookUrlsSecretRef: { name: "slack", key: "urls" }, emailTo: ["soc@example.com"] },
        worker: { detection: { bruteForceThreshold: 9, keywords: ["breach"] } },
      }),
    );
    const config = find(objects, "ConfigMap", "shop-config")?.data as Record<string, string>;
    expect(config).not.toHaveProperty("ELASTICSEARCH_URL");
    expect(config).toMatchObject({ KAFKA_BROKER: "kafka:9092", TOPIC_CONFIG_UPDATES: "config-updates", WHITELISTED_IPS: "" });
    const alerterEnv = podOf(find(objects, "Deployment", "shop-alerter")).containers[0]?.env;
    expect(alerterEnv).toContainEqual({ name: "SLACK_WEBHOOK_URLS", valueFrom: { secretKeyRef: { name: "slack", key: "urls" } } });
    expect(alerterEnv).toContainEqual({ name: "ELASTICSEARCH_URL", valueFrom: { secretKeyRef: { name: "es", key: "url" } } });
    const workerEnv = podOf(find(objects, "Deployment", "shop-worker")).containers[0]?.env;
    expect(workerEnv).toContainEqual({ name: "BRUTE_FORCE_THRESHOLD", value: "9" });
    expect(workerEnv).toContainEqual({ name: "ANOMALY_KEYWORDS", value: "breach" });
  });

  it("replaces a pulling collector's pod rather than rolling it, so its volume is never mounted twice", () => {
    const objects = desiredChildren(pipeline({ collectors: [{ name: "pg", type: "postgres" }] }));
    expect((find(objects, "Deployment", "shop-collector-pg")?.spec as { strategy: unknown }).strategy).toEqual({ type: "Recreate" });
    expect(podOf(find(objects, "Deployment", "shop-collector-pg")).containers[0]?.env).toContainEqual({ name: "COLLECTOR_CURSOR_FILE", value: "/var/lib/soc/cursor.json" });
  });

  it("rolls pods when the shared settings change (config hash on the pod template)", () => {
    const hash = (p: SocPipeline) => (find(desiredChildren(p), "Deployment", "shop-api")?.spec as { template: { metadata: { annotations: Record<string, string> } } }).template.metadata.annotations["socpipeline.io/config-hash"];
    expect(hash(pipeline())).toBe(hash(pipeline()));
    expect(hash(pipeline({ kafka: { brokers: ["other:9092"] } }))).not.toBe(hash(pipeline()));
  });
});
