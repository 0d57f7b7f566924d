/**
 * A keyed work queue in the manner of client-go's: a key waiting is queued once however many events
 * name it; a key being processed is never handed to a second worker, and one that changed meanwhile
 * is queued again when the first finishes; failures back off exponentially per key; a reconcile may
 * ask to be called again after a delay.
 */
export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 100, maxMs: 60_000 };

/** What the queue reports, in client-go's terms (its workqueue metrics are computed from these calls). */
export interface WorkQueueMetrics {
  /** The key became pending; it was not already. */
  add(key: string): void;
  /** A worker took the key. */
  get(key: string): void;
  /** The worker finished with the key. */
  done(key: string): void;
  /** The key was scheduled again after a delay: a failure's backoff or a requested requeue. */
  retry(): void;
}

const UNMEASURED: WorkQueueMetrics = { add() {}, get() {}, done() {}, retry() {} };

/** The delay before the n-th consecutive retry of a key (n starts at 0). */
export function backoffDelay(failures: number, policy: BackoffPolicy): number {
  return Math.min(policy.maxMs, policy.baseMs * 2 ** Math.min(failures, 30));
}

export class WorkQueue {
  readonly #queue: string[] = [];
  readonly #queued = new Set<string>();
  readonly #processing = new Set<string>();
  /** Keys that were added while being processed: re-queued by done(). */
  readonly #dirty = new Set<string>();
  readonly #failures = new Map<string, number>();
  readonly #timers = new Map<string, { at: number; timer: NodeJS.Timeout }>();
  #waiters: ((key: string | null) => void)[] = [];
  #shutDown = false;

  constructor(
    private readonly backoff: BackoffPolicy = DEFAULT_BACKOFF,
    private readonly metrics: WorkQueueMetrics = UNMEASURED,
  ) {}

  add(key: string): void {
    if (this.#shutDown) return;
    if (this.#processing.has(key)) {
      if (this.#dirty.has(key)) return;
      this.#dirty.add(key);
      this.metrics.add(key);
      return;
    }
    if (this.#queued.has(key)) return;
    this.metrics.add(key);
    this.#enqueue(key);
  }

  /** Hands a pending key to a waiting worker, or queues it. */
  #enqueue(key: string): void {
    const waiter = this.#waiters.shift();
    if (waiter !== undefined) {
      this.#processing.add(key);
      this.metrics.get(key);
      waiter(key);
      return;
    }
    this.#queued.add(key);
    this.#queue.push(key);
  }

  /** Adds the key after `delayMs`; an earlier pending time for the same key wins. */
  addAfter(key: string, delayMs: number): void {
    if (this.#shutDown) return;
    this.metrics.retry();
    if (delayMs <= 0) return this.add(key);
    const at = Date.now() + delayMs;
    const pending = this.#timers.get(key);
    if (pending !== undefined && pending.at <= at) return;
    if (pending !== undefined) clearTimeout(pending.timer);
    const timer = setTimeout(() => {
      this.#timers.delete(key);
      this.add(key);
    }, delayMs);
    timer.unref();
    this.#timers.set(key, { at, timer });
  }

  /** Retries a failed key with exponential backoff; returns the delay chosen. */
  addRateLimited(key: string): number {
    const failures = this.#failures.get(key) ?? 0;
    this.#failures.set(key, failures + 1);
    const delay = backoffDelay(failures, this.backoff);
    this.addAfter(key, delay);
    return delay;
  }

  /** The key succeeded: its next failure starts the backoff over. */
  forget(key: string): void {
    this.#failures.delete(key);
  }

  /** Resolves with the next key to process, or null once the queue is shut down. */
  get(): Promise<string | null> {
    if (this.#shutDown) return Promise.resolve(null);
    const key = this.#queue.shift();
    if (key !== undefined) {
      this.#queued.delete(key);
      this.#processing.add(key);
      this.metrics.get(key);
      return Promise.resolve(key);
    }
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  done(key: string): void {
    this.metrics.done(key);
    this.#processing.delete(key);
    // Already counted as added when it changed during its reconcile.
    if (this.#dirty.delete(key) && !this.#shutDown) this.#enqueue(key);
  }

  /** Keys waiting to be processed. */
  get length(): number {
    return this.#queue.length;
  }

  shutDown(): void {
    this.#shutDown = true;
    for (const { timer } of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
    for (const waiter of this.#waiters) waiter(null);
    this.#waiters = [];
  }
}
