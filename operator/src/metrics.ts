/**
 * The operator's Prometheus metrics. Reconciles and the work queue carry controller-runtime's names,
 * labels and buckets (controller_runtime_*, workqueue_*), so dashboards and alerts written for Go
 * operators work unchanged; what only this operator knows (lag, scaling, whitelist, watches,
 * leadership) is soc_operator_*.
 */
import { Counter, createRegistry, Gauge, Histogram, type Registry } from "@soc/shared/telemetry";
import type { WorkQueueMetrics } from "./controller/work-queue.ts";

/** The SocPipeline controller's name: controller-runtime names a controller after its kind, lower-cased. */
export const SOC_PIPELINE_CONTROLLER = "socpipeline";

/** controller-runtime's reconcile results. */
export type ReconcileResult = "success" | "error" | "requeue" | "requeue_after";
const RECONCILE_RESULTS: readonly ReconcileResult[] = ["success", "error", "requeue", "requeue_after"];

/** controller-runtime's controller_runtime_reconcile_time_seconds buckets. */
const RECONCILE_BUCKETS = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.7, 0.8, 0.9, 1, 1.25, 1.5, 1.75, 2,
  2.5, 3, 3.5, 4, 4.5, 5, 6, 7, 8, 9, 10, 15, 20, 25, 30, 40, 50, 60,
];
/** client-go's work-queue buckets: 10 ns to 1000 s, one per power of ten. */
const QUEUE_BUCKETS = Array.from({ length: 12 }, (_, i) => 1e-8 * 10 ** i);

type QueueLabel = "name" | "controller";

export interface OperatorMetrics {
  registry: Registry;
  reconciles: Counter<"controller" | "result">;
  reconcileErrors: Counter<"controller">;
  reconcileSeconds: Histogram<"controller">;
  maxConcurrentReconciles: Gauge<"controller">;
  activeWorkers: Gauge<"controller">;
  /** The work-queue metrics of the queue called `name` (controller-runtime: the controller's name). */
  workQueue(name: string): WorkQueueMetrics;
  watchRestarts: Counter<"resource">;
  isLeader: Gauge;
  workerLag: Gauge<"namespace" | "pipeline">;
  workerDesiredReplicas: Gauge<"namespace" | "pipeline">;
  workerCurrentReplicas: Gauge<"namespace" | "pipeline">;
  scaleDecisions: Counter<"namespace" | "pipeline" | "direction">;
  whitelistPublished: Gauge<"namespace" | "pipeline">;
  whitelistMessages: Counter<"namespace" | "pipeline" | "action">;
}

export function createOperatorMetrics(
  registry: Registry = createRegistry("soc-operator"),
  now: () => number = () => performance.now(),
): OperatorMetrics {
  const perPipeline = ["namespace", "pipeline"] as const;
  const queueLabels: QueueLabel[] = ["name", "controller"];
  const registers = [registry];
  /** Per queue name: how long each key in progress has been worked on, in seconds. */
  const inProgress = new Map<string, () => number[]>();
  const queue = {
    depth: new Gauge({
      name: "workqueue_depth",
      help: "Current depth of workqueue",
      labelNames: queueLabels,
      registers,
    }),
    adds: new Counter({
      name: "workqueue_adds_total",
      help: "Total number of adds handled by workqueue",
      labelNames: queueLabels,
      registers,
    }),
    retries: new Counter({
      name: "workqueue_retries_total",
      help: "Total number of retries handled by workqueue",
      labelNames: queueLabels,
      registers,
    }),
    waited: new Histogram({
      name: "workqueue_queue_duration_seconds",
      help: "How long in seconds an item stays in workqueue before being requested",
      labelNames: queueLabels,
      buckets: QUEUE_BUCKETS,
      registers,
    }),
    worked: new Histogram({
      name: "workqueue_work_duration_seconds",
      help: "How long in seconds processing an item from workqueue takes.",
      labelNames: queueLabels,
      buckets: QUEUE_BUCKETS,
      registers,
    }),
  };
  // Computed when scraped from the keys in progress, instead of on a timer as client-go does.
  new Gauge({
    name: "workqueue_unfinished_work_seconds",
    help: "How many seconds of work has been done that is in progress and hasn't been observed by work_duration. Large values indicate stuck threads.",
    labelNames: queueLabels,
    registers,
    collect() {
      for (const [name, seconds] of inProgress)
        this.set(
          { name, controller: name },
          seconds().reduce((sum, s) => sum + s, 0),
        );
    },
  });
  new Gauge({
    name: "workqueue_longest_running_processor_seconds",
    help: "How many seconds has the longest running processor for workqueue been running.",
    labelNames: queueLabels,
    registers,
    collect() {
      for (const [name, seconds] of inProgress) this.set({ name, controller: name }, Math.max(0, ...seconds()));
    },
  });

  /** client-go's queue metrics: enqueue and start times per key turn into the wait and work histograms. */
  const workQueue = (name: string): WorkQueueMetrics => {
    const labels = { name, controller: name };
    const addedAt = new Map<string, number>();
    const startedAt = new Map<string, number>();
    const secondsSince = (at: number): number => Math.max(0, now() - at) / 1000;
    inProgress.set(name, () => [...startedAt.values()].map(secondsSince));
    queue.depth.set(labels, 0);
    queue.adds.inc(labels, 0);
    queue.retries.inc(labels, 0);
    return {
      add(key) {
        queue.adds.inc(labels);
        queue.depth.inc(labels);
        if (!addedAt.has(key)) addedAt.set(key, now());
      },
      get(key) {
        queue.depth.dec(labels);
        startedAt.set(key, now());
        const added = addedAt.get(key);
        if (added !== undefined) queue.waited.observe(labels, secondsSince(added));
        addedAt.delete(key);
      },
      done(key) {
        const started = startedAt.get(key);
        if (started !== undefined) queue.worked.observe(labels, secondsSince(started));
        startedAt.delete(key);
      },
      retry() {
        queue.retries.inc(labels);
      },
    };
  };

  return {
    registry,
    reconciles: new Counter({
      name: "controller_runtime_reconcile_total",
      help: "Total number of reconciliations per controller",
      labelNames: ["controller", "result"],
      registers,
    }),
    reconcileErrors: new Counter({
      name: "controller_runtime_reconcile_errors_total",
      help: "Total number of reconciliation errors per controller",
      labelNames: ["controller"],
      registers,
    }),
    reconcileSeconds: new Histogram({
      name: "controller_runtime_reconcile_time_seconds",
      help: "Length of time per reconciliation per controller",
      labelNames: ["controller"],
      buckets: RECONCILE_BUCKETS,
      registers,
    }),
    maxConcurrentReconciles: new Gauge({
      name: "controller_runtime_max_concurrent_reconciles",
      help: "Maximum number of concurrent reconciles per controller",
      labelNames: ["controller"],
      registers,
    }),
    activeWorkers: new Gauge({
      name: "controller_runtime_active_workers",
      help: "Number of currently used workers per controller",
      labelNames: ["controller"],
      registers,
    }),
    workQueue,
    watchRestarts: new Counter({
      name: "soc_operator_watch_restarts_total",
      help: "Watches restarted after an error or a silent stop",
      labelNames: ["resource"],
      registers,
    }),
    isLeader: new Gauge({
      name: "soc_operator_leader",
      help: "1 while this replica holds the leader Lease",
      registers,
    }),
    workerLag: new Gauge({
      name: "soc_operator_worker_lag_messages",
      help: "Consumer lag of the worker group (KEDA semantics)",
      labelNames: perPipeline,
      registers,
    }),
    workerDesiredReplicas: new Gauge({
      name: "soc_operator_worker_desired_replicas",
      help: "Worker replicas the lag calls for, after stabilization",
      labelNames: perPipeline,
      registers,
    }),
    workerCurrentReplicas: new Gauge({
      name: "soc_operator_worker_current_replicas",
      help: "Worker replicas of the Deployment",
      labelNames: perPipeline,
      registers,
    }),
    scaleDecisions: new Counter({
      name: "soc_operator_scale_decisions_total",
      help: "Scale writes by direction",
      labelNames: ["namespace", "pipeline", "direction"],
      registers,
    }),
    whitelistPublished: new Gauge({
      name: "soc_operator_whitelist_published_entries",
      help: "Entries published to config-updates",
      labelNames: perPipeline,
      registers,
    }),
    whitelistMessages: new Counter({
      name: "soc_operator_whitelist_messages_total",
      help: "config-updates messages published",
      labelNames: ["namespace", "pipeline", "action"],
      registers,
    }),
  };
}

/**
 * Every series of a controller from its start, at zero as controller-runtime does: an alert on
 * increase() then sees the first error, which it would miss on a series born with it.
 */
export function startControllerMetrics(metrics: OperatorMetrics, controller: string, concurrency: number): void {
  metrics.maxConcurrentReconciles.set({ controller }, concurrency);
  metrics.activeWorkers.set({ controller }, 0);
  metrics.reconcileErrors.inc({ controller }, 0);
  for (const result of RECONCILE_RESULTS) metrics.reconciles.inc({ controller, result }, 0);
}
