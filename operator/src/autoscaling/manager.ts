/**
 * One WorkerAutoscaler per SocPipeline with autoscaling enabled, wired to the pipeline's Kafka
 * (lag through the admin API) and to the worker Deployment's scale subresource.
 */
import type { Logger } from "@soc/shared";
import { API_VERSION, type SocPipeline } from "../api/v1alpha1/index.ts";
import type { KubeClient, KubeObject } from "../kube/client.ts";
import type { EventRecorder } from "../kube/events.ts";
import { kubeTime } from "../kube/time.ts";
import { containsFields } from "../kube/up-to-date.ts";
import type { OperatorMetrics } from "../metrics.ts";
import type { PipelineBuses } from "../kafka/pipeline-buses.ts";
import { childName } from "../naming.ts";
import { WorkerAutoscaler, type AutoscalerIo, type AutoscalerOptions, type AutoscalerReading } from "./autoscaler.ts";

export const AUTOSCALER_FIELD_MANAGER = "soc-operator-autoscaler";

export interface AutoscalerManagerDeps {
  kube: KubeClient;
  buses: PipelineBuses;
  events: EventRecorder;
  metrics: OperatorMetrics;
  logger: Logger;
}

interface Running {
  autoscaler: WorkerAutoscaler;
  pipeline: SocPipeline;
  /** The status last written; an unchanged reading is not written again. */
  reported?: NonNullable<SocPipeline["status"]>["autoscaling"];
}

export class AutoscalerManager {
  readonly #running = new Map<string, Running>();

  constructor(private readonly deps: AutoscalerManagerDeps) {}

  ensure(pipeline: SocPipeline): void {
    const key = `${pipeline.metadata.namespace}/${pipeline.metadata.name}`;
    const settings = pipeline.spec.worker.autoscaling;
    if (!settings.enabled) return this.stop(key);
    const options: AutoscalerOptions = {
      policy: settings,
      pollingIntervalSeconds: settings.pollingIntervalSeconds,
      onError: (error) => this.deps.logger.warn({ err: error, pipeline: key }, "autoscaler poll failed"),
    };
    const running = this.#running.get(key);
    if (running !== undefined) {
      running.pipeline = pipeline;
      running.autoscaler.update(options);
      return;
    }
    const entry: Running = { pipeline, autoscaler: new WorkerAutoscaler(this.#io(key), options) };
    this.#running.set(key, entry);
    entry.autoscaler.start();
  }

  stop(key: string): void {
    this.#running.get(key)?.autoscaler.stop();
    this.#running.delete(key);
  }

  stopAll(): void {
    for (const key of [...this.#running.keys()]) this.stop(key);
  }

  /** I/O for the autoscaler of `key`; it always sees the latest spec the reconciler passed in. */
  #io(key: string): AutoscalerIo {
    const { kube, buses, events, metrics } = this.deps;
    const running = (): Running => {
      const entry = this.#running.get(key);
      if (entry === undefined) throw new Error(`autoscaler of ${key} was stopped`);
      return entry;
    };
    const current = (): SocPipeline => running().pipeline;
    const deployment = () => {
      const { name, namespace } = current().metadata;
      return { apiVersion: "apps/v1", kind: "Deployment", namespace, name: childName(name, "worker") };
    };
    return {
      // Through the client the pipeline's reconcile connected: the broker policy and the pipeline's credentials apply.
      lag: async () => {
        const { kafka, worker } = current().spec;
        const bus = buses.connected(key);
        if (bus === null) throw new Error(`no Kafka client for ${key} yet: waiting for its reconcile to connect`);
        return bus.lag(worker.groupId, kafka.topics.logs);
      },
      currentReplicas: async () => {
        const live = await kube.get<KubeObject & { spec?: { replicas?: number } }>(deployment());
        return live === null ? null : (live.spec?.replicas ?? 1);
      },
      scale: (replicas: number) => kube.scale(deployment(), replicas),
      report: async (reading: AutoscalerReading) => {
        const pipeline = current();
        const labels = { namespace: pipeline.metadata.namespace, pipeline: pipeline.metadata.name };
        metrics.workerLag.set(labels, reading.totalLag);
        metrics.workerDesiredReplicas.set(labels, reading.desiredReplicas);
        metrics.workerCurrentReplicas.set(labels, reading.currentReplicas);
        if (reading.scaledFrom !== null) {
          const direction = reading.desiredReplicas > reading.scaledFrom ? "up" : "down";
          metrics.scaleDecisions.inc({ ...labels, direction });
          events.record(
            pipeline,
            "Normal",
            "Scaled",
            `Scaled workers ${direction} from ${reading.scaledFrom} to ${reading.desiredReplicas} (lag ${reading.totalLag})`,
          );
        }
        const entry = running();
        const previous = entry.reported ?? pipeline.status?.autoscaling;
        const lastScaleTime = reading.scaledFrom !== null ? kubeTime(reading.at) : previous?.lastScaleTime;
        const autoscaling = {
          totalLag: reading.totalLag,
          desiredReplicas: reading.desiredReplicas,
          currentReplicas: reading.currentReplicas,
          ...(lastScaleTime === undefined ? {} : { lastScaleTime }),
        };
        // Every write is an update event for every watcher: write only what changed.
        if (previous !== undefined && containsFields(previous, autoscaling)) return;
        await kube.apply(
          {
            apiVersion: API_VERSION,
            kind: "SocPipeline",
            metadata: { name: pipeline.metadata.name, namespace: pipeline.metadata.namespace },
            status: { autoscaling },
          },
          { subresource: "status", fieldManager: AUTOSCALER_FIELD_MANAGER },
        );
        entry.reported = autoscaling;
      },
    };
  }
}
