/**
 * Kafka clients shared by the whitelist publisher and the autoscaler, one per key (the caller's
 * namespace, brokers and credentials identity). Each pipeline holds a reference to the client it
 * last used; a client is closed as soon as no pipeline refers to it (the pipeline was deleted or
 * moved to other brokers or credentials), when unused for `idleMs`, or when `maxClients` are open
 * and a new one is needed (least recently used first). Topics are ensured once per client and topic
 * set, so `config-updates` is created compacted rather than auto-created with the broker's defaults.
 */
import { pipelineTopicSpecs, type Logger, type PipelineTopics } from "@soc/shared";
import type { KafkaBus } from "@soc/shared/kafka";

export interface BusPoolOptions {
  idleMs: number;
  maxClients: number;
  /** Milliseconds; a fake clock in tests. */
  now: () => number;
}

export const DEFAULT_POOL_OPTIONS: BusPoolOptions = { idleMs: 10 * 60_000, maxClients: 64, now: Date.now };

interface Entry {
  bus: KafkaBus;
  lastUsed: number;
  users: Set<string>;
  ensured: Map<string, Promise<void>>;
}

/** Called with a client about to close, before it closes (e.g. to stop what follows a topic through it). */
export type EvictionListener = (bus: KafkaBus) => Promise<void>;

export class BusPool {
  readonly #entries = new Map<string, Entry>();
  /** The client key each user (a pipeline) refers to. */
  readonly #users = new Map<string, string>();
  readonly #listeners: EvictionListener[] = [];
  readonly #closing = new Set<Promise<void>>();

  constructor(
    private readonly logger: Logger,
    private readonly options: BusPoolOptions = DEFAULT_POOL_OPTIONS,
  ) {}

  get size(): number {
    return this.#entries.size;
  }

  onEvict(listener: EvictionListener): void {
    this.#listeners.push(listener);
  }

  /**
   * The client of `key` (made with `create` when there is none), now referred to by `user`.
   * `logsPartitions`: of a logs topic this call creates (the reconcile's topic step passes the spec's count; it runs first).
   */
  async get(
    user: string,
    key: string,
    create: () => KafkaBus,
    topics: PipelineTopics,
    logsPartitions?: number,
  ): Promise<KafkaBus> {
    this.sweep();
    let entry = this.#entries.get(key);
    if (entry === undefined) {
      this.#makeRoom();
      entry = { bus: create(), lastUsed: this.options.now(), users: new Set(), ensured: new Map() };
      this.#entries.set(key, entry);
    }
    this.#refer(user, key, entry);
    const topicsKey = `${topics.logs}|${topics.configUpdates}|${topics.highPriorityAlerts}`;
    let ensured = entry.ensured.get(topicsKey);
    if (ensured === undefined) {
      ensured = entry.bus.ensureTopics(pipelineTopicSpecs(topics, logsPartitions));
      entry.ensured.set(topicsKey, ensured);
      // A failed attempt is forgotten so the next reconcile tries again.
      const forget = entry.ensured;
      ensured.catch(() => forget.delete(topicsKey));
    }
    await ensured;
    return entry.bus;
  }

  /** The client `user` last got, if still open; counts as a use. */
  current(user: string): KafkaBus | null {
    const key = this.#users.get(user);
    const entry = key === undefined ? undefined : this.#entries.get(key);
    if (entry === undefined) return null;
    entry.lastUsed = this.options.now();
    return entry.bus;
  }

  /** `user` needs no client any more (its pipeline is gone). */
  release(user: string): void {
    const key = this.#users.get(user);
    this.#users.delete(user);
    if (key !== undefined) this.#dropUser(user, key);
  }

  /** Closes the clients unused for longer than `idleMs`. */
  sweep(): void {
    const now = this.options.now();
    for (const [key, entry] of [...this.#entries])
      if (now - entry.lastUsed > this.options.idleMs) this.#evict(key, "idle");
  }

  async close(): Promise<void> {
    for (const key of [...this.#entries.keys()]) this.#evict(key, "shutdown");
    await Promise.all([...this.#closing]);
  }

  #refer(user: string, key: string, entry: Entry): void {
    entry.lastUsed = this.options.now();
    const previous = this.#users.get(user);
    this.#users.set(user, key);
    entry.users.add(user);
    if (previous !== undefined && previous !== key) this.#dropUser(user, previous);
  }

  #dropUser(user: string, key: string): void {
    const entry = this.#entries.get(key);
    if (entry === undefined) return;
    entry.users.delete(user);
    if (entry.users.size === 0) this.#evict(key, "unreferenced");
  }

  #makeRoom(): void {
    while (this.#entries.size >= this.options.maxClients) {
      const oldest = [...this.#entries].reduce((a, b) => (b[1].lastUsed < a[1].lastUsed ? b : a));
      this.#evict(oldest[0], "pool full");
    }
  }

  #evict(key: string, why: string): void {
    const entry = this.#entries.get(key);
    if (entry === undefined) return;
    this.#entries.delete(key);
    for (const user of entry.users) if (this.#users.get(user) === key) this.#users.delete(user);
    this.logger.debug({ why, users: [...entry.users] }, "closing a Kafka client");
    const closing = (async () => {
      await Promise.allSettled(this.#listeners.map((listener) => listener(entry.bus)));
      await entry.bus.close();
    })()
      .catch((error: unknown) => this.logger.warn({ err: error }, "closing a Kafka client failed"))
      .finally(() => this.#closing.delete(closing));
    this.#closing.add(closing);
  }
}
