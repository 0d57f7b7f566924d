/**
 * `helm install` of both charts on a real API server, then the operator run with the credentials
 * of the ServiceAccount the chart creates: its RBAC must be enough to do all of its work (and it
 * holds no wildcards, which the chart tests check).
 */
import type { ChildProcess } from "node:child_process";
import { once } from "node:events";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import type { KubeObject } from "../src/kube/client.ts";
import {
  applyCrds,
  createNamespace,
  deleteNamespace,
  eventually,
  freePort,
  getJson,
  httpGet,
  kubeconfigFor,
  kubeEnv,
  kubectl,
  kubectlOk,
  missingKafka,
  missingKube,
  run,
  spawnOperator,
} from "./harness.ts";

const helm = (args: string[], input?: string) => run(kubeEnv.helm ?? "helm", args, input);
const missingHelm = (): boolean => missingKube() || kubeEnv.helm === undefined;

describe.skipIf(missingHelm() || missingKafka())("helm install on a real API server", () => {
  let operatorNamespace: string;
  let namespace: string;
  let operator: ChildProcess | null = null;

  beforeAll(() => {
    applyCrds();
    operatorNamespace = createNamespace("helm-op");
    namespace = createNamespace("helm-soc");
  });
  afterAll(async () => {
    if (operator !== null && operator.exitCode === null) {
      operator.kill("SIGTERM");
      await once(operator, "exit");
    }
    helm(["uninstall", "shop", "-n", namespace]);
    helm(["uninstall", "soc-operator", "-n", operatorNamespace]);
    kubectl(["delete", "clusterrole,clusterrolebinding", "-l", "app.kubernetes.io/instance=soc-operator"]);
    deleteNamespace(namespace);
    deleteNamespace(operatorNamespace);
  });

  it("installs the operator chart: CRDs, ServiceAccount, RBAC, Deployment and metrics Service", () => {
    const installed = helm([
      "install",
      "soc-operator",
      "charts/soc-operator",
      "-n",
      operatorNamespace,
      "--set",
      "replicaCount=2",
    ]);
    expect(installed.stderr).toBe("");
    expect(installed.stdout).toContain("STATUS: deployed");
    const deployment = getJson<
      KubeObject & { spec: { replicas: number; template: { spec: { serviceAccountName: string } } } }
    >(operatorNamespace, "deployment/soc-operator");
    expect(deployment.spec.replicas).toBe(2);
    expect(deployment.spec.template.spec.serviceAccountName).toBe("soc-operator");
    const objects = kubectlOk([
      "get",
      "-n",
      operatorNamespace,
      "serviceaccount,service,role,rolebinding",
      "-l",
      "app.kubernetes.io/instance=soc-operator",
      "-o",
      "name",
    ]);
    expect(objects.split("\n").filter(Boolean).sort()).toEqual([
      "role.rbac.authorization.k8s.io/soc-operator-leader-election",
      "rolebinding.rbac.authorization.k8s.io/soc-operator-leader-election",
      "service/soc-operator-metrics",
      "serviceaccount/soc-operator",
    ]);
    expect(kubectlOk(["get", "clusterrole/soc-operator", "-o", "name"]).trim()).toBe(
      "clusterrole.rbac.authorization.k8s.io/soc-operator",
    );
  });

  it("installs a pipeline with its Secret and IpWhitelist as the values say", () => {
    const values = {
      pipeline: {
        kafka: {
          brokers: [kubeEnv.kafkaBroker],
          topics: {
            logs: `${namespace}-logs`,
            configUpdates: `${namespace}-config-updates`,
            highPriorityAlerts: `${namespace}-alerts`,
          },
        },
        api: { replicas: 3 },
        worker: { autoscaling: { enabled: false } },
      },
      secrets: { apiKeys: "admin:helm-admin-key-0123456789" },
      ipWhitelists: [{ name: "office", entries: [{ ip: "10.20.0.0/16", comment: "office" }] }],
    };
    const installed = helm(["install", "shop", "charts/soc-pipeline", "-n", namespace, "-f", "-"], stringify(values));
    expect(installed.stderr).toBe("");
    expect(installed.stdout).toContain("STATUS: deployed");
    const pipeline = getJson<
      KubeObject & {
        spec: {
          api: { replicas: number; apiKeysSecretRef: { name: string; key: string } };
          kafka: { brokers: string[] };
        };
      }
    >(namespace, "socpipeline/shop");
    expect(pipeline.spec.api.replicas).toBe(3);
    expect(pipeline.spec.kafka.brokers).toEqual([kubeEnv.kafkaBroker]);
    const secret = getJson<KubeObject & { data: Record<string, string> }>(
      namespace,
      `secret/${pipeline.spec.api.apiKeysSecretRef.name}`,
    );
    expect(Buffer.from(secret.data[pipeline.spec.api.apiKeysSecretRef.key] ?? "", "base64").toString()).toBe(
      "admin:helm-admin-key-0123456789",
    );
    const whitelist = getJson<KubeObject & { spec: { pipelineRef: { name: string }; entries: { ip: string }[] } }>(
      namespace,
      "ipwhitelist/shop-office",
    );
    expect(whitelist.spec).toEqual({
      pipelineRef: { name: "shop" },
      entries: [{ ip: "10.20.0.0/16", comment: "office" }],
    });
  });

  it("runs the operator with only the chart's RBAC: it reconciles the pipeline and publishes the whitelist", async () => {
    const token = kubectlOk(["create", "token", "soc-operator", "-n", operatorNamespace, "--duration=1h"]).trim();
    const server = kubectlOk(["config", "view", "--minify", "-o", "jsonpath={.clusters[0].cluster.server}"]);
    // Same cluster, but the ServiceAccount's token instead of the admin certificate.
    const asServiceAccount = kubeconfigFor(server);
    kubectlOk(["--kubeconfig", asServiceAccount, "config", "unset", "users.soc-admin"]);
    kubectlOk(["--kubeconfig", asServiceAccount, "config", "set-credentials", "soc-admin", `--token=${token}`]);
    expect(kubectl(["--kubeconfig", asServiceAccount, "get", "secrets", "-n", namespace]).stderr).toContain(
      "forbidden",
    );

    const port = await freePort();
    operator = spawnOperator({
      KUBECONFIG: asServiceAccount,
      POD_NAME: "soc-operator-0",
      OPERATOR_PORT: String(port),
      LEADER_ELECTION_NAMESPACE: operatorNamespace,
      LEADER_ELECTION_ID: "soc-operator",
      LOG_LEVEL: "warn",
    });
    const logs: string[] = [];
    operator.stdout?.on("data", (chunk: Buffer) => logs.push(chunk.toString()));
    operator.stderr?.on("data", (chunk: Buffer) => logs.push(chunk.toString()));
    await eventually(
      () =>
        expect(
          kubectlOk(["get", "-n", namespace, "deployments", "-o", "name"]).split("\n").filter(Boolean).sort(),
        ).toEqual(["deployment.apps/shop-alerter", "deployment.apps/shop-api", "deployment.apps/shop-worker"]),
      { timeoutMs: 30_000 },
    );
    await eventually(
      () => {
        const whitelist = getJson<
          KubeObject & { status?: { publishedEntries?: number; conditions?: { type: string; status: string }[] } }
        >(namespace, "ipwhitelist/shop-office");
        expect(whitelist.status?.publishedEntries).toBe(1);
        expect(whitelist.status?.conditions?.find((c) => c.type === "Ready")?.status).toBe("True");
      },
      { timeoutMs: 30_000 },
    );
    // It recorded Events and holds its Lease, both with the chart's permissions only.
    expect(
      kubectlOk(["get", "events", "-n", namespace, "--field-selector", "reason=WhitelistPublished", "-o", "name"]),
    ).not.toBe("");
    expect(
      getJson<KubeObject & { spec: { holderIdentity: string } }>(operatorNamespace, "lease/soc-operator").spec
        .holderIdentity,
    ).toBe("soc-operator-0");
    expect((await httpGet(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    // Not one request was refused along the way (the operator logs every failed call at warn).
    expect(logs.join("")).not.toMatch(/forbidden/i);
  }, 90_000);
});
