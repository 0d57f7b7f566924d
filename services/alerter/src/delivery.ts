/**
 * The one retry loop for every channel: honours the service's Retry-After, backs off exponentially
 * with full jitter on 5xx and network errors, never retries other 4xx, and stops within bounds.
 */
import type { Channel, GiveUpReason } from "./channels/channel.ts";
import type { Notification } from "./notification.ts";

export interface RetryPolicy {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 6, baseDelayMs: 500, maxDelayMs: 30_000 };

export type DeliveryResult =
  | { kind: "delivered"; attempts: number }
  | { kind: "given-up"; reason: GiveUpReason; detail: string; attempts: number };

export interface DeliveryHooks {
  sleep(ms: number): Promise<void>;
  random(): number;
  onRetry?(cause: "throttled" | "server_error" | "network", waitMs: number): void;
}

/** Full jitter: a random wait up to the exponential bound (AWS Architecture Blog's recommendation). */
export function backoffMs(attempt: number, policy: RetryPolicy, random: () => number): number {
  return Math.floor(random() * Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1)));
}

export async function deliver(channel: Channel, notification: Notification, policy: RetryPolicy, hooks: DeliveryHooks): Promise<DeliveryResult> {
  for (let attempt = 1; ; attempt++) {
    const outcome = await channel.send(notification);
    if (outcome.kind === "delivered") return { kind: "delivered", attempts: attempt };
    if (outcome.kind === "give-up") return { kind: "given-up", reason: outcome.reason, detail: outcome.detail, attempts: attempt };
    if (attempt >= policy.maxAttempts) return { kind: "given-up", reason: "retries_exhausted", detail: `last cause: ${outcome.cause}`, attempts: attempt };
    const waitMs = outcome.afterMs ?? backoffMs(attempt, policy, hooks.random);
    hooks.onRetry?.(outcome.cause, waitMs);
    await hooks.sleep(waitMs);
  }
}
