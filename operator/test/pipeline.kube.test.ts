/**
 * A SocPipeline on a real API server: the children it yields, convergence after spec edits and
 * after someone deletes or edits a child, status conditions, and Pod Security "restricted".
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { KubeObject } from "../src/kube/client.ts";
import {
  applyCrds,
  applyYaml,
  createNamespace,
  deleteNamespace,
  eventually,
  getJson,
  kstatus,
  kubectl,
  kubectlOk,
  markPodsReady,
  missingKube,
  pipelineManifest,
  startOperator,
  type InProcessOperator,
} from "./harness.ts";

type Condition = { type: string; status: string; reason: string };
type Pipeline = KubeObject & {
  status?: {
    observedGeneration?: number;
    conditions?: Condition[];
    readyComponents?: string;
    components?: { name: string; ready: boolean }[];
  };
};

const names = (namespace: string, resource: string): string[] =>
  getJson<{ items: KubeObject[] }>(namespace, resource)
    .items.map((o) => o.metadata.name)
    .sort();
const condition = (pipeline: Pipeline, type: string): Condition | undefined =>
  pipeline.status?.conditions?.find((c) => c.type === type);

describe.skipIf(missingKube())("SocPipeline on a real API server", () => {
  let namespace: string;
  let running: InProcessOperator;

  beforeAll(async () => {
    applyCrds();
    // The namespace enforces Pod Security "restricted": pods that break it are refused creation.
    namespace = createNamespace("socp", {
      "pod-security.kubernetes.io/enforce": "restricted",
      "pod-security.kubernetes.io/enforce-version": "latest",
    });
    running = await startOperator(namespace);
  });
  afterAll(async () => {
    await running?.stop();
    deleteNamespace(namespace);
  });

  it("yields a ConfigMap, Deployments, Services, PDBs, NetworkPolicies and the scanner's, retention's and reporter's CronJobs, owned by the pipeline", async () => {
    applyYaml(
      [
        pipelineManifest("shop", namespace, {
          collectors: [
            {
              name: "vercel",
              type: "vercel",
              settings: { VERCEL_VERIFY_TOKEN: "verify" },
              secretEnv: [{ name: "VERCEL_DRAIN_SECRET", secretKeyRef: { name: "vercel", key: "secret" } }],
            },
          ],
          reporter: { enabled: true, smtpUrlSecretRef: { name: "smtp", key: "url" }, emailTo: ["soc@example.com"] },
          credentialScanner: {
            enabled: true,
            githubTokenSecretRef: { name: "github", key: "token" },
            queries: ["org:example"],
          },
        }),
      ],
      namespace,
    );
    await eventually(
      () =>
        expect(names(namespace, "deployments")).toEqual([
          "shop-alerter",
          "shop-api",
          "shop-collector-vercel",
          "shop-worker",
        ]),
      { timeoutMs: 20_000 },
    );
    await eventually(() => {
      expect(names(namespace, "services")).toEqual(["shop-api", "shop-collector-vercel"]);
      expect(names(namespace, "cronjobs")).toEqual(["shop-credential-scanner", "shop-reporter", "shop-retention"]);
      expect(names(namespace, "pdb")).toEqual(["shop-api", "shop-worker"]);
      expect(names(namespace, "networkpolicies")).toEqual([
        "shop-alerter",
        "shop-api",
        "shop-collector-vercel",
        "shop-credential-scanner",
        "shop-default-deny",
        "shop-reporter",
        "shop-retention",
        "shop-worker",
      ]);
      expect(names(namespace, "configmaps")).toContain("shop-config");
    });
    const pipeline = getJson<Pipeline>(namespace, "socpipeline/shop");
    const api = getJson<
      KubeObject & {
        spec: {
          replicas: number;
          template: { spec: { containers: { env: { name: string; valueFrom?: unknown }[] }[] } };
        };
      }
    >(namespace, "deployment/shop-api");
    expect(api.metadata.ownerReferences).toEqual([
      expect.objectContaining({ kind: "SocPipeline", name: "shop", uid: pipeline.metadata.uid, controller: true }),
    ]);
    expect(api.spec.replicas).toBe(2);
    expect(api.spec.template.spec.containers[0]?.env).toContainEqual({
      name: "API_KEYS_FILE",
      value: "/var/run/secrets/soc/api-keys",
    });
    // The API server accepted the reporter's schedule and run policy as rendered (no kubelet here: no Job runs).
    const reporter = getJson<KubeObject & { spec: Record<string, unknown> }>(namespace, "cronjob/shop-reporter");
    expect(reporter.metadata.ownerReferences).toEqual([
      expect.objectContaining({ kind: "SocPipeline", name: "shop", controller: true }),
    ]);
    expect(reporter.spec).toMatchObject({
      schedule: "0 6 1 * *",
      timeZone: "Etc/UTC",
      concurrencyPolicy: "Forbid",
      startingDeadlineSeconds: 259_200,
      suspend: false,
      jobTemplate: { spec: { backoffLimit: 2 } },
    });
    const managers = (api.metadata as { managedFields?: { manager: string; operation: string }[] }).managedFields ?? [];
    expect(managers).toContainEqual(expect.objectContaining({ manager: "soc-operator", operation: "Apply" }));
  });

  it("runs pods that pass Pod Security 'restricted' (the namespace enforces it)", async () => {
    const refused = kubectl(["run", "-n", namespace, "privileged", "--image=busybox", "--privileged"]);
    expect(refused.stderr).toContain("violates PodSecurity");
    // The ReplicaSet controller created every pod the Deployments ask for: none was refused.
    await eventually(() => expect(names(namespace, "pods").length).toBe(2 + 1 + 1 + 1), { timeoutMs: 20_000 });
    const events = kubectlOk([
      "get",
      "events",
      "-n",
      namespace,
      "--field-selector",
      "reason=FailedCreate",
      "-o",
      "name",
    ]);
    expect(events).toBe("");
  });

  it("reports Ready=False while pods are not ready, then Ready=True with observedGeneration once they are", async () => {
    await eventually(() => {
      const pipeline = getJson<Pipeline>(namespace, "socpipeline/shop");
      expect(condition(pipeline, "Ready")).toMatchObject({ status: "False", reason: "ComponentsNotReady" });
      expect(condition(pipeline, "Reconciling")?.status).toBe("True");
      expect(kstatus(namespace, "socpipeline/shop").status).toBe("InProgress");
    });
    markPodsReady(namespace);
    await eventually(
      () => {
        const pipeline = getJson<Pipeline>(namespace, "socpipeline/shop");
        expect(pipeline.status?.observedGeneration).toBe(pipeline.metadata.generation);
        expect(condition(pipeline, "Ready")).toMatchObject({ status: "True", reason: "AllComponentsReady" });
        expect(condition(pipeline, "Progressing")).toMatchObject({ status: "False", reason: "RolloutComplete" });
        expect(condition(pipeline, "Degraded")).toMatchObject({ status: "False" });
        expect(condition(pipeline, "Stalled")?.status).toBe("False");
        expect(pipeline.status?.readyComponents).toBe("7/7");
        expect(condition(pipeline, "LogsPartitions")).toMatchObject({ status: "True", reason: "AsDesired" });
        expect(pipeline.status).toMatchObject({ logsPartitions: 6 });
      },
      { timeoutMs: 20_000 },
    );
    expect(kubectl(["wait", "-n", namespace, "socpipeline/shop", "--for=condition=Ready", "--timeout=5s"]).status).toBe(
      0,
    );
    // What Flux's health checks (kstatus) conclude from the same status.
    expect(kstatus(namespace, "socpipeline/shop")).toEqual({ status: "Current", message: "Resource is Ready" });
  });

  it("brings back a deleted child and undoes an edit to one", async () => {
    kubectlOk(["delete", "-n", namespace, "service/shop-api"]);
    kubectlOk(["scale", "-n", namespace, "deployment/shop-api", "--replicas=5"]);
    await eventually(() => {
      expect(names(namespace, "services")).toContain("shop-api");
      expect(getJson<KubeObject & { spec: { replicas: number } }>(namespace, "deployment/shop-api").spec.replicas).toBe(
        2,
      );
    });
  });

  it("follows spec edits: a changed setting rolls out, a removed collector is pruned", async () => {
    kubectlOk([
      "patch",
      "-n",
      namespace,
      "socpipeline/shop",
      "--type=merge",
      "-p",
      JSON.stringify({
        spec: { collectors: [], api: { replicas: 3 }, worker: { detection: { bruteForceThreshold: 7 } } },
      }),
    ]);
    await eventually(() => {
      expect(names(namespace, "deployments")).not.toContain("shop-collector-vercel");
      expect(names(namespace, "services")).toEqual(["shop-api"]);
      expect(getJson<KubeObject & { spec: { replicas: number } }>(namespace, "deployment/shop-api").spec.replicas).toBe(
        3,
      );
      const worker = getJson<
        KubeObject & { spec: { template: { spec: { containers: { env: { name: string; value?: string }[] }[] } } } }
      >(namespace, "deployment/shop-worker");
      expect(worker.spec.template.spec.containers[0]?.env).toContainEqual({
        name: "BRUTE_FORCE_THRESHOLD",
        value: "7",
      });
    });
    await eventually(() => {
      const pipeline = getJson<Pipeline>(namespace, "socpipeline/shop");
      expect(pipeline.status?.observedGeneration).toBe(pipeline.metadata.generation);
      expect(condition(pipeline, "Ready")?.status).toBe("False");
    });
    const events = kubectlOk([
      "get",
      "events",
      "-n",
      namespace,
      "--field-selector",
      "involvedObject.kind=SocPipeline,reason=Pruned",
      "-o",
      "jsonpath={.items[*].message}",
    ]);
    expect(events).toContain("Deleted Deployment shop-collector-vercel");
  });

  it("writes server-side apply managed fields only under its own manager and never fights the autoscaler over replicas", () => {
    const worker = getJson<
      KubeObject & {
        spec: { replicas: number };
        metadata: { managedFields?: { manager: string; fieldsV1?: { "f:spec"?: Record<string, unknown> } }[] };
      }
    >(namespace, "deployment/shop-worker");
    const applied = worker.metadata.managedFields?.find((f) => f.manager === "soc-operator");
    expect(applied?.fieldsV1?.["f:spec"]).not.toHaveProperty("f:replicas");
  });

  it("lets the garbage collector remove every child when the pipeline is deleted", async () => {
    kubectlOk(["delete", "-n", namespace, "socpipeline/shop"]);
    await eventually(() => expect(names(namespace, "deployments")).toEqual([]), { timeoutMs: 30_000 });
  });
});
