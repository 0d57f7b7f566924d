/**
 * Operator speed on the real API server (scripts/kube/up.sh) and Kafka:
 *  - reconcile latency: a SocPipeline created, or its spec edited, until the children say so;
 *  - autoscaling: a backlog crossing the lag threshold until the worker scale is written.
 * Times are taken from watch events, not polling. Usage (make bench sources the env):
 *   npx tsx bench/operator.ts [trials] [pollingIntervalSeconds]
 */
import { pipelineTopicSpecs, silentLogger } from "@soc/shared";
import { createKafkaBus } from "@soc/shared/kafka";
import type { KubeObject } from "../operator/src/kube/client.ts";
import {
  applyCrds,
  createNamespace,
  deleteNamespace,
  metricValue,
  pipelineManifest,
  startOperator,
} from "../operator/test/harness.ts";

const trials = Number(process.argv[2] ?? 20);
const pollingIntervalSeconds = Number(process.argv[3] ?? 5);
const broker = process.env.KAFKA_BROKER ?? "127.0.0.1:19092";

type Deployment = KubeObject & { spec: { replicas?: number } };
const percentile = (values: number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
};
const summary = (values: number[]) => ({
  n: values.length,
  p50_ms: Math.round(percentile(values, 50)),
  p95_ms: Math.round(percentile(values, 95)),
  max_ms: Math.round(Math.max(...values)),
});

applyCrds();
const namespace = createNamespace("bench-op");
const running = await startOperator(namespace);
const { kube } = running;

/** Resolves with the time the first Deployment event matching `done` arrives. */
const waiters: { done: (d: Deployment) => boolean; resolve: (at: number) => void }[] = [];
const seen = new Map<string, Deployment>();
const { items, resourceVersion } = await kube.list<Deployment>({
  apiVersion: "apps/v1",
  kind: "Deployment",
  namespace,
});
for (const d of items) seen.set(d.metadata.name, d);
const stopWatch = await kube.watch(
  { apiVersion: "apps/v1", kind: "Deployment", namespace },
  { resourceVersion, timeoutSeconds: 3600 },
  (type, object) => {
    const at = performance.now();
    if (type === "DELETED") seen.delete(object.metadata.name);
    else seen.set(object.metadata.name, object as Deployment);
    for (const waiter of waiters.splice(0)) {
      if (waiter.done(object as Deployment)) waiter.resolve(at);
      else waiters.push(waiter);
    }
  },
  () => {},
);
const until = (done: (d: Deployment) => boolean): Promise<number> =>
  new Promise((resolve) => waiters.push({ done, resolve }));
const write = (object: KubeObject) => kube.apply(object, { fieldManager: "bench" });

// Reconcile latency: create → the last of the three Deployments exists.
const created: number[] = [];
for (let i = 0; i < trials; i++) {
  const name = `p${i}`;
  const names = new Set([`${name}-api`, `${name}-worker`, `${name}-alerter`]);
  const all = new Promise<number>((resolve) => {
    let left = names.size;
    for (const child of names) void until((d) => d.metadata.name === child).then((at) => --left === 0 && resolve(at));
  });
  const start = performance.now();
  await write(pipelineManifest(name, namespace, { worker: { autoscaling: { enabled: false } } }));
  created.push((await all) - start);
}
console.log(
  JSON.stringify({
    bench: "operator-reconcile-create",
    children: "3 Deployments + 6 more objects",
    ...summary(created),
  }),
);

// Reconcile latency: spec edit → the Deployment carries it.
const edited: number[] = [];
for (let i = 0; i < trials; i++) {
  const replicas = 3 + (i % 2);
  const applied = until((d) => d.metadata.name === "p0-api" && d.spec.replicas === replicas);
  const start = performance.now();
  await write(
    pipelineManifest("p0", namespace, {
      api: { apiKeysSecretRef: { name: "soc-api-keys", key: "keys" }, replicas },
      worker: { autoscaling: { enabled: false } },
    }),
  );
  edited.push((await applied) - start);
}
console.log(JSON.stringify({ bench: "operator-reconcile-edit", ...summary(edited) }));

// Autoscaling: backlog over the threshold → scale written; drain → back to 1 (window 0 here).
const topics = {
  logs: `${namespace}-logs`,
  configUpdates: `${namespace}-config-updates`,
  highPriorityAlerts: `${namespace}-alerts`,
};
const bus = createKafkaBus({ brokers: [broker], clientId: namespace, logger: silentLogger() });
await bus.ensureTopics(pipelineTopicSpecs(topics));
const groupId = `${namespace}-workers`;
const autoscaling = {
  minReplicas: 1,
  maxReplicas: 4,
  lagThreshold: 100,
  pollingIntervalSeconds,
  scaleDownStabilizationSeconds: 0,
};
await write(pipelineManifest("lag", namespace, { worker: { groupId, autoscaling } }));
await until((d) => d.metadata.name === "lag-worker" && d.spec.replicas === 1);
const scaleUp: number[] = [];
for (let i = 0; i < Math.min(trials, 10); i++) {
  // Start at a random point of the polling cycle, as a real backlog would.
  await new Promise((resolve) => setTimeout(resolve, Math.random() * pollingIntervalSeconds * 1000));
  const scaled = until((d) => d.metadata.name === "lag-worker" && d.spec.replicas === 2);
  await bus.publish(
    topics.logs,
    Array.from({ length: 150 }, (_, j) => ({ key: `k${j}`, value: `{"message":"backlog ${i}-${j}"}` })),
  );
  const crossed = performance.now();
  scaleUp.push((await scaled) - crossed);
  const drained = until((d) => d.metadata.name === "lag-worker" && d.spec.replicas === 1);
  const subscription = await bus.subscribe({
    groupId,
    topics: [topics.logs],
    fromBeginning: true,
    handleBatch: async () => {},
  });
  await drained;
  await subscription.stop();
}
console.log(
  JSON.stringify({
    bench: "operator-lag-to-scale",
    polling_interval_s: pollingIntervalSeconds,
    keda_default_polling_interval_s: 30,
    ...summary(scaleUp),
  }),
);

// How much work all that took: every child status change also reconciles its pipeline.
const metricsText = await running.metrics.registry.metrics();
const reconciles = metricValue(metricsText, "controller_runtime_reconcile_time_seconds_count");
const reconcileMs = (metricValue(metricsText, "controller_runtime_reconcile_time_seconds_sum") / reconciles) * 1000;
console.log(
  JSON.stringify({ bench: "operator-reconcile-cost", reconciles, mean_reconcile_ms: Math.round(reconcileMs) }),
);
stopWatch();
await bus.close();
await running.stop();
deleteNamespace(namespace);
process.exit(0);
