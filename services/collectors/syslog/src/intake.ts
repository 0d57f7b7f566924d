/**
 * The queue between the sockets and Kafka. Publishing runs one batch at a time; a failed batch is
 * retried with backoff (at-least-once), so a Kafka outage fills the queue instead of losing logs.
 * Past `highWater` the queue is congested: stream readers pause (TCP backpressure reaches the
 * sender, whose own queue holds the logs) and datagrams are refused (UDP has no way to say "slower").
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { LogMessage } from "@soc/shared";

export interface IntakeOptions {
  publish(logs: LogMessage[]): Promise<void>;
  highWater: number;
  batchSize?: number;
  /** First retry delay after a failed publish; doubled up to `maxRetryDelayMs`. */
  retryDelayMs?: number;
  maxRetryDelayMs?: number;
  onPublishError?(error: unknown, retryInMs: number): void;
}

export interface Intake {
  /** Queues a log from a stream; always taken (the reader pauses once `congested`). */
  push(log: LogMessage): void;
  /** Queues a log only when not congested; false means the caller drops it. */
  offer(log: LogMessage): boolean;
  readonly congested: boolean;
  readonly queued: number;
  /** Called each time the queue falls back below half of `highWater` after being congested. */
  onDrain(listener: () => void): void;
  /** Publishes what is queued, for at most `timeoutMs`; resolves with how many logs were left unpublished. */
  flush(timeoutMs: number): Promise<number>;
}

export function createIntake(options: IntakeOptions): Intake {
  const batchSize = options.batchSize ?? 1000;
  const firstDelay = options.retryDelayMs ?? 250;
  const maxDelay = options.maxRetryDelayMs ?? 10_000;
  let queue: LogMessage[] = [];
  let head = 0;
  let wasCongested = false;
  let pumping: Promise<void> | null = null;
  let giveUp = false;
  const drainListeners: (() => void)[] = [];
  const queued = (): number => queue.length - head;

  async function pump(): Promise<void> {
    let delay = firstDelay;
    while (queued() > 0 && !giveUp) {
      const batch = queue.slice(head, head + batchSize);
      try {
        await options.publish(batch);
      } catch (error) {
        options.onPublishError?.(error, delay);
        await sleep(delay);
        delay = Math.min(delay * 2, maxDelay);
        continue;
      }
      delay = firstDelay;
      head += batch.length;
      // Compact now and then, so the array does not grow for ever nor shift on every batch.
      if (head > batchSize * 8 && head * 2 > queue.length) {
        queue = queue.slice(head);
        head = 0;
      }
      if (wasCongested && queued() * 2 < options.highWater) {
        wasCongested = false;
        for (const listener of drainListeners) listener();
      }
    }
  }
  const kick = (): void => {
    pumping ??= pump().finally(() => {
      pumping = null;
      if (queued() > 0 && !giveUp) kick();
    });
  };
  const intake: Intake = {
    push(log) {
      queue.push(log);
      if (queued() >= options.highWater) wasCongested = true;
      kick();
    },
    offer(log) {
      if (queued() >= options.highWater) {
        wasCongested = true;
        return false;
      }
      intake.push(log);
      return true;
    },
    get congested() {
      return queued() >= options.highWater;
    },
    get queued() {
      return queued();
    },
    onDrain(listener) {
      drainListeners.push(listener);
    },
    async flush(timeoutMs) {
      const timer = new AbortController();
      const deadline = sleep(timeoutMs, "timeout" as const, { signal: timer.signal }).catch(() => "flushed" as const);
      try {
        while (queued() > 0) {
          kick();
          if ((await Promise.race([pumping, deadline])) === "timeout") {
            giveUp = true;
            break;
          }
        }
      } finally {
        timer.abort();
      }
      return queued();
    },
  };
  return intake;
}
