/**
 * Worker autoscaling on real Kafka lag: a backlog with a stopped consumer group drives the worker
 * Deployment's replicas up within one polling interval, and back down only after the
 * stabilization window once the lag has drained.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pipelineTopicSpecs, silentLogger } from "@soc/shared";
import { createKafkaBus, type KafkaBus } from "@soc/shared/kafka";
import { realInfra } from "@soc/shared/testing";
import type { KubeObject } from "../src/kube/client.ts";
import {
  applyCrds,
  applyYaml,
  createNamespace,
  deleteNamespace,
  eventually,
  getJson,
  missingKafka,
  missingKube,
  pipelineManifest,
  startOperator,
  type InProcessOperator,
} from "./harness.ts";

const POLL_SECONDS = 2;
const WINDOW_SECONDS = 12;
const replicas = (namespace: string): number =>
  getJson<KubeObject & { spec: { replicas: number } }>(namespace, "deployment/lag-worker").spec.replicas;

describe.skipIf(missingKube() || missingKafka())("worker autoscaling on real Kafka lag", () => {
  let namespace: string;
  let running: InProcessOperator;
  let bus: KafkaBus;
  const topics = () => ({
    logs: `${namespace}-logs`,
    configUpdates: `${namespace}-config-updates`,
    highPriorityAlerts: `${namespace}-alerts`,
  });

  beforeAll(async () => {
    applyCrds();
    namespace = createNamespace("lag");
    bus = createKafkaBus({
      brokers: [realInfra.kafkaBroker ?? ""],
      clientId: `${namespace}-producer`,
      logger: silentLogger(),
    });
    await bus.ensureTopics(pipelineTopicSpecs(topics()));
    const autoscaling = {
      minReplicas: 1,
      maxReplicas: 5,
      lagThreshold: 100,
      pollingIntervalSeconds: POLL_SECONDS,
      scaleDownStabilizationSeconds: WINDOW_SECONDS,
    };
    applyYaml(
      [pipelineManifest("lag", namespace, { worker: { groupId: `${namespace}-workers`, autoscaling } })],
      namespace,
    );
    running = await startOperator(namespace);
    await eventually(() => expect(replicas(namespace)).toBe(1), { timeoutMs: 20_000 });
  });
  afterAll(async () => {
    await running?.stop();
    await bus?.close();
    deleteNamespace(namespace);
  });

  it("scales up within one polling interval of a backlog crossing the threshold", async () => {
    // 350 logs on 6 partitions; the group has never committed: KEDA counts the whole partition.
    await bus.publish(
      topics().logs,
      Array.from({ length: 350 }, (_, i) => ({ key: `k${i}`, value: JSON.stringify({ message: `backlog ${i}` }) })),
    );
    const published = Date.now();
    await eventually(() => expect(replicas(namespace)).toBe(4), {
      timeoutMs: (POLL_SECONDS + 3) * 1000,
      intervalMs: 100,
    });
    const elapsedMs = Date.now() - published;
    console.log(
      `lag 350 (threshold 100) → 4 replicas written ${elapsedMs} ms after the backlog was acknowledged (polling every ${POLL_SECONDS}s)`,
    );
    expect(elapsedMs).toBeLessThanOrEqual(POLL_SECONDS * 1000 + 1_500);
    await eventually(() => {
      const status = getJson<
        KubeObject & {
          status?: {
            autoscaling?: {
              totalLag: number;
              desiredReplicas: number;
              currentReplicas: number;
              lastScaleTime?: string;
            };
          };
        }
      >(namespace, "socpipeline/lag").status?.autoscaling;
      expect(status).toMatchObject({ totalLag: 350, desiredReplicas: 4, currentReplicas: 4 });
      expect(status?.lastScaleTime).toBeDefined();
    });
    const metrics = await running.metrics.registry.metrics();
    expect(metrics).toMatch(new RegExp(`soc_operator_worker_lag_messages\\{[^}]*pipeline="lag"[^}]*\\} 350`));
    expect(metrics).toMatch(/soc_operator_scale_decisions_total\{[^}]*direction="up"[^}]*\} 1/);
  });

  it("scales back down only after the stabilization window once the lag drained", async () => {
    let consumed = 0;
    const subscription = await bus.subscribe({
      groupId: `${namespace}-workers`,
      topics: [topics().logs],
      fromBeginning: true,
      handleBatch: async (batch) => {
        consumed += batch.length;
      },
    });
    await eventually(
      async () =>
        expect((await bus.lag(`${namespace}-workers`, topics().logs)).reduce((sum, p) => sum + p.lag, 0)).toBe(0),
      { timeoutMs: 30_000, intervalMs: 100 },
    );
    const drained = Date.now();
    expect(consumed).toBe(350);
    await subscription.stop();
    // Inside the window the replicas stay: a drained queue right after a burst is not a trend.
    const insideWindowMs = (WINDOW_SECONDS - POLL_SECONDS - 1) * 1000 - (Date.now() - drained);
    expect(insideWindowMs).toBeGreaterThan(0);
    await new Promise((resolve) => setTimeout(resolve, insideWindowMs));
    expect(replicas(namespace)).toBe(4);
    await eventually(() => expect(replicas(namespace)).toBe(1), {
      timeoutMs: (POLL_SECONDS * 2 + 4) * 1000,
      intervalMs: 200,
    });
    const elapsedS = (Date.now() - drained) / 1000;
    console.log(`scaled down 4 → 1 ${elapsedS.toFixed(1)} s after the lag drained (window ${WINDOW_SECONDS}s)`);
    expect(elapsedS).toBeGreaterThanOrEqual(WINDOW_SECONDS - POLL_SECONDS);
  }, 60_000);
});
