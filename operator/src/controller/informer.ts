/**
 * List-then-watch cache of one kind, feeding a work queue. The JS client's watches are known to
 * stop silently, so every watch has a server-side timeout and a client-side deadline a little
 * later: a watch still open past it is aborted and restarted. Any error relists (a 410 Gone as
 * well), and a periodic relist re-delivers every object so drift is found even without events.
 * `healthy()` is false while no watch has been live recently: /healthz reports it.
 */
import type { KindRef, KubeClient, KubeObject, WatchEventType } from "../kube/client.ts";
import { backoffDelay } from "./work-queue.ts";

export interface InformerOptions {
  /** Server closes each watch after this long; the client aborts it this plus `graceSeconds` later. */
  watchTimeoutSeconds: number;
  graceSeconds: number;
  /** Relist and re-deliver every object this often. */
  resyncSeconds: number;
  labelSelector?: string;
}

export const DEFAULT_INFORMER_OPTIONS: InformerOptions = {
  watchTimeoutSeconds: 240,
  graceSeconds: 30,
  resyncSeconds: 300,
};

export type InformerEvent = "ADDED" | "MODIFIED" | "DELETED" | "RESYNC";

export const objectKey = (object: KubeObject): string => `${object.metadata.namespace ?? ""}/${object.metadata.name}`;

export class Informer<T extends KubeObject> {
  readonly #cache = new Map<string, T>();
  #resourceVersion = "";
  /** Closes the current watch without treating its end as a failure. */
  #closeWatch: (() => void) | null = null;
  #watchDeadline: NodeJS.Timeout | null = null;
  #resyncTimer: NodeJS.Timeout | null = null;
  #retryTimer: NodeJS.Timeout | null = null;
  #failures = 0;
  #stopped = false;
  #synced = false;
  /** Last moment a watch was known to be live (opened, delivered, or ended on time). */
  #liveAt = 0;

  constructor(
    private readonly client: KubeClient,
    readonly ref: KindRef,
    private readonly onChange: (object: T, event: InformerEvent) => void,
    private readonly options: InformerOptions = DEFAULT_INFORMER_OPTIONS,
    private readonly onError: (error: unknown) => void = () => {},
  ) {}

  get name(): string {
    return `${this.ref.apiVersion}/${this.ref.kind}${this.ref.namespace === undefined ? "" : ` in ${this.ref.namespace}`}`;
  }

  async start(): Promise<void> {
    await this.#relist();
    this.#scheduleResync();
  }

  stop(): void {
    this.#stopped = true;
    this.#closeWatch?.();
    for (const timer of [this.#watchDeadline, this.#resyncTimer, this.#retryTimer])
      if (timer !== null) clearTimeout(timer);
  }

  list(): T[] {
    return [...this.#cache.values()];
  }

  get(key: string): T | undefined {
    return this.#cache.get(key);
  }

  get synced(): boolean {
    return this.#synced;
  }

  /** True when a watch has been live within one watch period (plus grace). */
  healthy(now = Date.now()): boolean {
    return this.#synced && now - this.#liveAt <= (this.options.watchTimeoutSeconds + this.options.graceSeconds) * 1000;
  }

  #relisting: Promise<void> | null = null;

  /** One relist at a time: overlapping ones (resync during a restart) would open two watches. */
  #relist(): Promise<void> {
    this.#relisting ??= this.#listAndWatch().finally(() => (this.#relisting = null));
    return this.#relisting;
  }

  async #listAndWatch(): Promise<void> {
    this.#closeWatch?.();
    const { items, resourceVersion } = await this.client.list<T>(this.ref, this.options.labelSelector);
    const seen = new Set<string>();
    for (const item of items) {
      const key = objectKey(item);
      seen.add(key);
      this.#cache.set(key, item);
      this.onChange(item, "RESYNC");
    }
    for (const [key, gone] of this.#cache) {
      if (seen.has(key)) continue;
      this.#cache.delete(key);
      this.onChange(gone, "DELETED");
    }
    this.#resourceVersion = resourceVersion;
    this.#synced = true;
    await this.#watch();
  }

  async #watch(): Promise<void> {
    if (this.#stopped) return;
    let ended = false;
    let abort: () => void = () => {};
    const settle = (): boolean => {
      if (ended) return false;
      ended = true;
      if (this.#watchDeadline !== null) clearTimeout(this.#watchDeadline);
      this.#closeWatch = null;
      return true;
    };
    this.#closeWatch = () => {
      if (settle()) abort();
    };
    const end = (error: unknown): void => {
      if (!settle() || this.#stopped) return;
      if (error === null || error === undefined) {
        // The server closed it at timeoutSeconds, as asked: resume from the last version seen.
        this.#liveAt = Date.now();
        this.#failures = 0;
        this.#restart(() => this.#watch(), 0);
      } else {
        abort();
        this.onError(error);
        this.#restart(() => this.#relist(), backoffDelay(this.#failures++, { baseMs: 200, maxMs: 10_000 }));
      }
    };
    abort = await this.client.watch(
      this.ref,
      {
        resourceVersion: this.#resourceVersion,
        timeoutSeconds: this.options.watchTimeoutSeconds,
        labelSelector: this.options.labelSelector,
      },
      (type, object) => this.#onEvent(type, object, end),
      end,
    );
    if (ended) {
      abort();
      return;
    }
    this.#liveAt = Date.now();
    // The watchdog: a watch the server should have closed by now has stopped silently.
    this.#watchDeadline = setTimeout(
      () => {
        end(new Error(`watch of ${this.name} still open ${this.options.graceSeconds}s past its timeout: restarted`));
      },
      (this.options.watchTimeoutSeconds + this.options.graceSeconds) * 1000,
    );
    this.#watchDeadline.unref();
  }

  #onEvent(type: WatchEventType, object: KubeObject, end: (error: unknown) => void): void {
    this.#liveAt = Date.now();
    if (type === "ERROR") {
      // 410 Gone: our resourceVersion is too old; anything else is just as much a reason to relist.
      end(new Error(`watch of ${this.name} answered ${JSON.stringify(object).slice(0, 200)}`));
      return;
    }
    if (object.metadata.resourceVersion !== undefined) this.#resourceVersion = object.metadata.resourceVersion;
    if (type === "BOOKMARK") return;
    const typed = { ...object, apiVersion: this.ref.apiVersion, kind: this.ref.kind } as T;
    const key = objectKey(typed);
    if (type === "DELETED") this.#cache.delete(key);
    else this.#cache.set(key, typed);
    this.onChange(typed, type);
  }

  #restart(action: () => Promise<void>, delayMs: number): void {
    if (this.#stopped) return;
    this.#retryTimer = setTimeout(() => {
      action().catch((error: unknown) => {
        this.onError(error);
        this.#restart(() => this.#relist(), backoffDelay(this.#failures++, { baseMs: 200, maxMs: 10_000 }));
      });
    }, delayMs);
  }

  #scheduleResync(): void {
    this.#resyncTimer = setTimeout(() => {
      if (this.#stopped) return;
      this.#relist()
        .catch((error: unknown) => this.onError(error))
        .finally(() => this.#scheduleResync());
    }, this.options.resyncSeconds * 1000);
    this.#resyncTimer.unref();
  }
}
