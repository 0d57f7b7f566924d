/** The operator's Prometheus metrics: reconciles, errors, queue depth, watches, lag and scaling. */
import { Counter, createRegistry, Gauge, Histogram, LATENCY_BUCKETS, type Registry } from "@soc/shared";

export interface OperatorMetrics {
  registry: Registry;
  reconciles: Counter<"kind" | "result">;
  reconcileSeconds: Histogram<"kind">;
  queueDepth: Gauge;
  watchRestarts: Counter<"resource">;
  isLeader: Gauge;
  workerLag: Gauge<"namespace" | "pipeline">;
  workerDesiredReplicas: Gauge<"namespace" | "pipeline">;
  workerCurrentReplicas: Gauge<"namespace" | "pipeline">;
  scaleDecisions: Counter<"namespace" | "pipeline" | "direction">;
  whitelistPublished: Gauge<"namespace" | "pipeline">;
  whitelistMessages: Counter<"namespace" | "pipeline" | "action">;
}

export function createOperatorMetrics(registry: Registry = createRegistry("soc-operator")): OperatorMetrics {
  const perPipeline = ["namespace", "pipeline"] as const;
  return {
    registry,
    reconciles: new Counter({ name: "soc_operator_reconciles_total", help: "Reconciles by kind and result (success, error, requeue)", labelNames: ["kind", "result"], registers: [registry] }),
    reconcileSeconds: new Histogram({ name: "soc_operator_reconcile_duration_seconds", help: "Time one reconcile takes", labelNames: ["kind"], buckets: LATENCY_BUCKETS, registers: [registry] }),
    queueDepth: new Gauge({ name: "soc_operator_queue_depth", help: "Keys waiting in the work queue", registers: [registry] }),
    watchRestarts: new Counter({ name: "soc_operator_watch_restarts_total", help: "Watches restarted after an error or a silent stop", labelNames: ["resource"], registers: [registry] }),
    isLeader: new Gauge({ name: "soc_operator_leader", help: "1 while this replica holds the leader Lease", registers: [registry] }),
    workerLag: new Gauge({ name: "soc_operator_worker_lag_messages", help: "Consumer lag of the worker group (KEDA semantics)", labelNames: perPipeline, registers: [registry] }),
    workerDesiredReplicas: new Gauge({ name: "soc_operator_worker_desired_replicas", help: "Worker replicas the lag calls for, after stabilization", labelNames: perPipeline, registers: [registry] }),
    workerCurrentReplicas: new Gauge({ name: "soc_operator_worker_current_replicas", help: "Worker replicas of the Deployment", labelNames: perPipeline, registers: [registry] }),
    scaleDecisions: new Counter({ name: "soc_operator_scale_decisions_total", help: "Scale writes by direction", labelNames: ["namespace", "pipeline", "direction"], registers: [registry] }),
    whitelistPublished: new Gauge({ name: "soc_operator_whitelist_published_entries", help: "Entries published to config-updates", labelNames: perPipeline, registers: [registry] }),
    whitelistMessages: new Counter({ name: "soc_operator_whitelist_messages_total", help: "config-updates messages published", labelNames: ["namespace", "pipeline", "action"], registers: [registry] }),
  };
}
