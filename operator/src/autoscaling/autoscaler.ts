/**
 * The worker autoscaler of one pipeline: every polling interval it reads the worker group's lag,
 * decides with the pure functions of lag-to-replicas.ts, writes the Deployment's scale when the
 * decision differs, and reports lag, desired and current replicas in status and metrics.
 */
import type { PartitionLag } from "@soc/shared";
import {
  recommendedReplicas,
  stabilizedReplicas,
  type AutoscalingPolicy,
  type Recommendation,
} from "./lag-to-replicas.ts";

export interface AutoscalerIo {
  lag(): Promise<PartitionLag[]>;
  /** Current spec.replicas of the worker Deployment, or null when it does not exist yet. */
  currentReplicas(): Promise<number | null>;
  scale(replicas: number): Promise<void>;
  report(reading: AutoscalerReading): Promise<void>;
}

export interface AutoscalerReading {
  totalLag: number;
  desiredReplicas: number;
  currentReplicas: number;
  /** Set when this poll wrote the scale. */
  scaledFrom: number | null;
  at: Date;
}

export interface AutoscalerOptions {
  policy: AutoscalingPolicy;
  pollingIntervalSeconds: number;
  onError: (error: unknown) => void;
  now?: () => Date;
}

export class WorkerAutoscaler {
  #history: Recommendation[] = [];
  #timer: NodeJS.Timeout | null = null;
  #stopped = false;
  #options: AutoscalerOptions;

  constructor(
    private readonly io: AutoscalerIo,
    options: AutoscalerOptions,
  ) {
    this.#options = options;
  }

  start(): void {
    this.#schedule(0);
  }

  /** New settings apply from the next poll; the stabilization history is kept. */
  update(options: AutoscalerOptions): void {
    this.#options = options;
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer !== null) clearTimeout(this.#timer);
  }

  /** One poll: read, decide, write. Exposed for tests and benchmarks. */
  async poll(): Promise<AutoscalerReading | null> {
    const { policy } = this.#options;
    const now = (this.#options.now ?? (() => new Date()))();
    const [lag, current] = await Promise.all([this.io.lag(), this.io.currentReplicas()]);
    if (current === null) return null;
    const readings = lag.map(({ partition, endOffset, committedOffset }) => ({
      partition,
      endOffset,
      committedOffset,
    }));
    const { totalLag, replicas } = recommendedReplicas(readings, policy);
    const nowSeconds = now.getTime() / 1000;
    // A fresh autoscaler (a new leader) counts the current size as a recent recommendation, so
    // it waits a whole window before scaling down instead of acting on one reading.
    if (this.#history.length === 0) this.#history = [{ atSeconds: nowSeconds, replicas: current }];
    const decision = stabilizedReplicas(this.#history, replicas, nowSeconds, policy);
    this.#history = decision.history;
    const scaled = decision.replicas !== current;
    if (scaled) await this.io.scale(decision.replicas);
    const reading = {
      totalLag,
      desiredReplicas: decision.replicas,
      currentReplicas: decision.replicas,
      scaledFrom: scaled ? current : null,
      at: now,
    };
    await this.io.report(reading);
    return reading;
  }

  #schedule(delayMs: number): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      const started = Date.now();
      this.poll()
        .catch((error: unknown) => this.#options.onError(error))
        .finally(() =>
          this.#schedule(Math.max(0, this.#options.pollingIntervalSeconds * 1000 - (Date.now() - started))),
        );
    }, delayMs);
  }
}
