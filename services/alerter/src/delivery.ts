/**
 * The one retry loop for every channel: honours the service's Retry-After up to a ceiling, backs off
 * exponentially with full jitter on 5xx and network errors, never retries other 4xx, stops within
 * bounds, and leaves a wait at once when the alerter shuts down.
 */
import { setTimeout as wait } from "node:timers/promises";
import type { Channel, GiveUpReason } from "./channels/channel.ts";
import type { Notification } from "./notification.ts";

export interface RetryPolicy {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Ceiling on an honoured Retry-After: a huge or buggy one must not park a channel for days. */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 6,
  baseDelayMs: 500,
  maxDelayMs: 30_000,
  maxRetryAfterMs: 600_000,
};

export type DeliveryResult =
  | { kind: "delivered"; attempts: number }
  | { kind: "given-up"; reason: GiveUpReason; detail: string; attempts: number }
  /** Shutdown came first: nothing is settled, the notification is sent after the restart. */
  | { kind: "interrupted"; attempts: number };

export interface DeliveryHooks {
  /** Waits `ms`, or less once `signal` aborts. */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
  random(): number;
  /** Aborted on shutdown: no new attempt starts and a wait ends; an attempt under way finishes. */
  signal: AbortSignal;
  onRetry?(cause: "throttled" | "server_error" | "network", waitMs: number): void;
}

/** Full jitter: a random wait up to the exponential bound (AWS Architecture Blog's recommendation). */
export function backoffMs(attempt: number, policy: RetryPolicy, random: () => number): number {
  return Math.floor(random() * Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1)));
}

/** The service's wait when it named one (clamped to [0, maxRetryAfterMs]), else backoff. */
export function retryWaitMs(
  afterMs: number | null,
  attempt: number,
  policy: RetryPolicy,
  random: () => number,
): number {
  if (afterMs === null || Number.isNaN(afterMs)) return backoffMs(attempt, policy, random);
  return Math.min(Math.max(afterMs, 0), policy.maxRetryAfterMs);
}

/** A wait that ends early, without throwing, when the signal aborts. */
export const abortableSleep = (ms: number, signal: AbortSignal): Promise<void> =>
  wait(ms, undefined, { signal }).catch(() => undefined);

export async function deliver(
  channel: Channel,
  notification: Notification,
  policy: RetryPolicy,
  hooks: DeliveryHooks,
): Promise<DeliveryResult> {
  for (let attempt = 1; ; attempt++) {
    if (hooks.signal.aborted) return { kind: "interrupted", attempts: attempt - 1 };
    const outcome = await channel.send(notification);
    if (outcome.kind === "delivered") return { kind: "delivered", attempts: attempt };
    if (outcome.kind === "give-up")
      return { kind: "given-up", reason: outcome.reason, detail: outcome.detail, attempts: attempt };
    if (attempt >= policy.maxAttempts)
      return {
        kind: "given-up",
        reason: "retries_exhausted",
        detail: `last cause: ${outcome.cause}`,
        attempts: attempt,
      };
    const waitMs = retryWaitMs(outcome.afterMs, attempt, policy, hooks.random);
    hooks.onRetry?.(outcome.cause, waitMs);
    await hooks.sleep(waitMs, hooks.signal);
  }
}
