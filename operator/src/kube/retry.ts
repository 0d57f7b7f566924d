/**
 * The one retry loop for request/response calls to the API server, shared by the operator's client
 * and the test harness: a transient failure (transient.ts) is repeated after a capped exponential
 * backoff with jitter, never sooner than the server's Retry-After (itself capped); no wait runs past
 * the deadline; any other failure is thrown at once. Watches are not retried here: they have
 * their own watchdog.
 */
import { isTransient, retryAfterMs } from "./transient.ts";

export interface RetryPolicy {
  /** Bound of the first backoff; it doubles per attempt up to `maxDelayMs`. */
  initialDelayMs: number;
  maxDelayMs: number;
  /** Give up (throwing the last failure) rather than wait past this long after the first attempt. */
  deadlineMs: number;
  /** A longer Retry-After is cut to this, so a server asking for minutes cannot stall the caller. */
  maxRetryAfterMs: number;
}

export interface RetryHooks {
  now(): number;
  random(): number;
  sleep(ms: number): Promise<void>;
  /** Blocks the thread: only for the synchronous kubectl calls of the test harness. */
  sleepSync(ms: number): void;
  /** Which failures to repeat; the transient ones unless a caller knows better. */
  retryable(error: unknown): boolean;
  onRetry(error: unknown, delayMs: number, attempt: number): void;
}

const REAL_HOOKS: RetryHooks = {
  now: () => performance.now(),
  random: Math.random,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  sleepSync: (ms) => void Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms),
  retryable: isTransient,
  onRetry: () => {},
};

/** Pure: the wait before attempt `attempt + 1` after `error`, or null to give up. */
export function retryDelay(
  error: unknown,
  attempt: number,
  elapsedMs: number,
  policy: RetryPolicy,
  random: () => number,
  retryable: (error: unknown) => boolean = isTransient,
): number | null {
  if (!retryable(error)) return null;
  const bound = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** Math.min(attempt - 1, 30));
  // Equal jitter: clients failing together spread out, yet every round still waits longer.
  const backoff = bound / 2 + (random() * bound) / 2;
  const asked = retryAfterMs(error);
  const delay = Math.round(asked === undefined ? backoff : Math.max(backoff, Math.min(asked, policy.maxRetryAfterMs)));
  return elapsedMs + delay > policy.deadlineMs ? null : delay;
}

/** One call's schedule: the wait after each failure, or that failure thrown when it is time to give up. */
function schedule(policy: RetryPolicy, hooks: RetryHooks): (error: unknown) => number {
  const start = hooks.now();
  let attempt = 0;
  return (error) => {
    attempt += 1;
    const delay = retryDelay(error, attempt, hooks.now() - start, policy, hooks.random, hooks.retryable);
    if (delay === null) throw error;
    hooks.onRetry(error, delay, attempt);
    return delay;
  };
}

export async function withRetry<T>(
  call: () => Promise<T>,
  policy: RetryPolicy,
  hooks: Partial<RetryHooks> = {},
): Promise<T> {
  const all = { ...REAL_HOOKS, ...hooks };
  const waitAfter = schedule(policy, all);
  for (;;) {
    try {
      return await call();
    } catch (error) {
      await all.sleep(waitAfter(error));
    }
  }
}

/** The same loop for synchronous calls (the harness runs kubectl with spawnSync). */
export function withRetrySync<T>(call: () => T, policy: RetryPolicy, hooks: Partial<RetryHooks> = {}): T {
  const all = { ...REAL_HOOKS, ...hooks };
  const waitAfter = schedule(policy, all);
  for (;;) {
    try {
      return call();
    } catch (error) {
      all.sleepSync(waitAfter(error));
    }
  }
}
