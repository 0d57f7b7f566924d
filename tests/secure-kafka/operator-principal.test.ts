/**
 * The operator as its own process on a real API server, signed in to the SASL_SSL broker as
 * User:operator (nothing more than pipelineAcls grants it): it reads the workers' consumer lag for
 * the autoscaler and publishes an IpWhitelist that the API and the worker, each as its own
 * principal, apply. That other principals cannot whitelist is in secure-kafka.test.ts.
 */
import type { ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { once } from "node:events";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { missingInfra } from "@soc/shared/testing";
import {
  applyCrds,
  applyYaml,
  createNamespace,
  deleteNamespace,
  eventually,
  freePort,
  getJson,
  httpGet,
  missingKube,
  pipelineManifest,
  spawnOperator,
} from "../../operator/test/harness.ts";
import type { KubeObject } from "../../operator/src/kube/client.ts";
import { SECURE_KAFKA } from "../e2e/kafka-targets.ts";
import { api, createRealPipeline, type RealPipeline } from "../e2e/real-pipeline.ts";

type Conditions = { conditions?: { type: string; status: string; reason: string; message: string }[] };
type PipelineStatus = KubeObject & {
  status?: Conditions & { autoscaling?: { totalLag: number }; whitelist?: { publishedEntries: number } };
};
type WhitelistStatus = KubeObject & { status?: Conditions & { publishedEntries?: number } };

const skip = SECURE_KAFKA.missing || missingKube() || missingInfra("elasticsearchUrl") || missingInfra("redisUrl");

describe.skipIf(skip)("the operator on SASL_SSL Kafka with its own principal", () => {
  let namespace: string;
  let pipeline: RealPipeline;
  let call: ReturnType<typeof api>;
  let operator: ChildProcess | undefined;
  let stderr = "";

  beforeAll(async () => {
    applyCrds();
    namespace = createNamespace("sasl-operator");
    pipeline = await createRealPipeline(SECURE_KAFKA);
    call = api((await pipeline.startApi()).url);
    // Someone whitelisted an address through the API before: the operator has a topic to read, not an empty one.
    expect((await call("/whitelist", { method: "POST", body: JSON.stringify({ ip: "192.0.2.10" }) })).status).toBe(201);
    const operatorKafka = SECURE_KAFKA.serviceEnv("operator");
    const {
      KAFKA_BROKER: broker = "",
      KAFKA_SASL_PASSWORD: password = "",
      KAFKA_SSL_CA_FILE: caFile = "",
    } = operatorKafka;
    // The operator's credentials both in its environment and in the Secret the SocPipeline names,
    // so whichever it signs in with, it is User:operator.
    applyYaml(
      [
        {
          apiVersion: "v1",
          kind: "Secret",
          metadata: { name: "kafka" },
          stringData: { password, "ca.pem": readFileSync(caFile, "utf8") },
        },
        pipelineManifest("shop", namespace, {
          kafka: {
            brokers: [broker],
            topics: pipeline.topics,
            tls: { caSecretRef: { name: "kafka", key: "ca.pem" } },
            sasl: {
              mechanism: "SCRAM-SHA-512",
              username: "operator",
              passwordSecretRef: { name: "kafka", key: "password" },
            },
          },
          worker: {
            groupId: pipeline.groupId,
            autoscaling: { enabled: true, pollingIntervalSeconds: 1, lagThreshold: 5, maxReplicas: 3 },
          },
        }),
      ],
      namespace,
    );
    const port = await freePort();
    operator = spawnOperator({
      ...operatorKafka,
      POD_NAME: "sasl-operator",
      OPERATOR_PORT: String(port),
      WATCH_NAMESPACE: namespace,
      LEADER_ELECT: "false",
      LOG_LEVEL: "warn",
    });
    operator.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    operator.stdout?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    await eventually(async () => expect((await httpGet(`http://127.0.0.1:${port}/readyz`)).status).toBe(200), {
      timeoutMs: 30_000,
    });
  }, 120_000);

  afterAll(async () => {
    if (operator !== undefined && operator.exitCode === null) {
      operator.kill("SIGKILL");
      await once(operator, "exit");
    }
    await pipeline?.close();
    if (namespace !== undefined) deleteNamespace(namespace);
  });

  const pipelineStatus = (): PipelineStatus["status"] => getJson<PipelineStatus>(namespace, "socpipeline/shop").status;
  /** The operator's own log, so a refusal by the broker shows in the failure. */
  const withLog = (message: string): string => `${message}\noperator log:\n${stderr.slice(-4_000)}`;

  it("reads the workers' consumer lag and scales on it: 12 logs waiting, then none once a worker consumed them", async () => {
    const logs = Array.from({ length: 12 }, (_, i) => ({ message: `request ${i} served` }));
    expect((await call("/logs", { method: "POST", body: JSON.stringify(logs) })).status).toBe(200);
    await eventually(
      () => expect(pipelineStatus()?.autoscaling?.totalLag, withLog("lag in the SocPipeline's status")).toBe(12),
      { timeoutMs: 30_000, intervalMs: 500 },
    );
    // ceil(12 / lagThreshold 5) = 3 workers.
    await eventually(
      () =>
        expect(
          getJson<KubeObject & { spec: { replicas: number } }>(namespace, "deployment/shop-worker").spec.replicas,
        ).toBe(3),
      { timeoutMs: 15_000, intervalMs: 500 },
    );

    await pipeline.startWorker();
    await eventually(
      () => expect(pipelineStatus()?.autoscaling?.totalLag, withLog("lag after the worker consumed")).toBe(0),
      { timeoutMs: 30_000, intervalMs: 500 },
    );
  }, 90_000);

  it("publishes an IpWhitelist to config-updates beside the API's entry; the API lists both and the worker stores that address's logs as whitelisted", async () => {
    applyYaml(
      [
        {
          apiVersion: "socpipeline.io/v1alpha1",
          kind: "IpWhitelist",
          metadata: { name: "office" },
          spec: { pipelineRef: { name: "shop" }, entries: [{ ip: "198.51.100.23", comment: "office NAT" }] },
        },
      ],
      namespace,
    );
    await eventually(
      () => {
        const status = getJson<WhitelistStatus>(namespace, "ipwhitelist/office").status;
        expect(
          status?.conditions?.find((c) => c.type === "Ready"),
          withLog("IpWhitelist status"),
        ).toMatchObject({ status: "True" });
        expect(status?.publishedEntries).toBe(1);
      },
      { timeoutMs: 30_000, intervalMs: 500 },
    );
    await eventually(
      async () =>
        expect(await (await call("/whitelist")).json()).toMatchObject({
          whitelisted_ips: ["192.0.2.10", "198.51.100.23"],
        }),
      { timeoutMs: 10_000 },
    );

    const failures = Array.from({ length: 6 }, (_, i) => ({
      message: `sshd[77${i}]: Failed password for root from 198.51.100.23 port 51${i} ssh2`,
    }));
    expect((await call("/logs", { method: "POST", body: JSON.stringify(failures) })).status).toBe(200);
    const stored = await eventually(
      async () => {
        const found = (await (await call("/alerts?source_ip=198.51.100.23")).json()) as {
          is_anomaly: boolean;
          rule: string;
        }[];
        expect(found).toHaveLength(6);
        return found;
      },
      { timeoutMs: 20_000 },
    );
    expect(stored.every((doc) => !doc.is_anomaly && doc.rule === "whitelist")).toBe(true);
  }, 60_000);
});
