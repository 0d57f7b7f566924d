/**
 * The loop every pull collector shares: poll the source from the saved cursor, publish what it
 * returned to `logs`, then save the new cursor. At-least-once: a crash between publishing and
 * saving publishes that window again; nothing is skipped.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { TOPICS, type Bus, type Logger, type LogMessage } from "@soc/shared";
import { Counter, Gauge, type Registry } from "@soc/shared/telemetry";
import { busRecord } from "./bus-record.ts";
import type { CursorStore } from "./cursor-store.ts";

export interface PullSource {
  name: string;
  /** Logs after `cursor` (null: the source's start), and the cursor after them. */
  poll(cursor: string | null): Promise<{ logs: LogMessage[]; cursor: string }>;
}

export interface PullCollectorDeps {
  source: PullSource;
  bus: Bus;
  cursors: CursorStore;
  logger: Logger;
  metrics: CollectorMetrics;
  topic?: string;
  now?: () => number;
}

export type CollectorMetrics = ReturnType<typeof collectorMetrics>;

/** Registered once per process: the pull loop and a drain count into the same series. */
export function collectorMetrics(registry: Registry) {
  return {
    fetched: new Counter({
      name: "collector_fetched_total",
      help: "Logs read from the source",
      labelNames: ["source"],
      registers: [registry],
    }),
    published: new Counter({
      name: "collector_published_total",
      help: "Logs acknowledged by the bus",
      labelNames: ["source"],
      registers: [registry],
    }),
    errors: new Counter({
      name: "collector_errors_total",
      help: "Failed polls or publishes",
      labelNames: ["source"],
      registers: [registry],
    }),
    lagSeconds: new Gauge({
      name: "collector_lag_seconds",
      help: "Age of the newest log published",
      labelNames: ["source"],
      registers: [registry],
    }),
  };
}

/** One poll-publish-save round; returns how many logs were published. */
export function createPullCollector(deps: PullCollectorDeps): { runOnce(): Promise<number> } {
  const { metrics } = deps;
  const source = deps.source.name;
  const now = deps.now ?? Date.now;
  return {
    async runOnce() {
      try {
        const { logs, cursor } = await deps.source.poll(await deps.cursors.load());
        metrics.fetched.inc({ source }, logs.length);
        if (logs.length > 0) {
          await deps.bus.publish(deps.topic ?? TOPICS.logs, logs.map(busRecord));
          metrics.published.inc({ source }, logs.length);
          const newest = Math.max(...logs.map((log) => log.timestamp ?? 0));
          metrics.lagSeconds.set({ source }, Math.max(0, now() / 1000 - newest));
        }
        await deps.cursors.save(cursor);
        return logs.length;
      } catch (error) {
        metrics.errors.inc({ source });
        deps.logger.error({ err: error, source }, "collector round failed; the cursor stays where it was");
        throw error;
      }
    },
  };
}

/**
 * Runs rounds every `intervalSeconds` until `stop` aborts; a failed round is logged and retried
 * next time. A round already running finishes (its logs published, its cursor saved) before the
 * promise resolves; the wait between rounds ends at once.
 */
export async function pollUntilStopped(
  collector: { runOnce(): Promise<number> },
  intervalSeconds: number,
  stop: AbortSignal,
): Promise<void> {
  while (!stop.aborted) {
    await collector.runOnce().catch(() => undefined);
    await sleep(intervalSeconds * 1000, undefined, { signal: stop }).catch(() => undefined);
  }
}
