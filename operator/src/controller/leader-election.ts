/**
 * Leader election on a coordination.k8s.io Lease, as client-go does it: the holder renews every
 * retry period; another replica takes over only after it has watched the record stay unchanged
 * for a whole lease duration by its own clock (never comparing clocks across machines); writes
 * are optimistic (resourceVersion), so two replicas can never both win. A leader that cannot
 * renew within the renew deadline steps down; on shutdown it releases the Lease for a fast handover.
 */
import type { Logger } from "@soc/shared";
import { isConflict, type KubeClient, type KubeObject } from "../kube/client.ts";

export interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}
type Lease = KubeObject & { spec?: LeaseSpec };

export interface LeaderElectionConfig {
  namespace: string;
  name: string;
  identity: string;
  leaseDurationSeconds: number;
  renewDeadlineSeconds: number;
  retryPeriodSeconds: number;
}

export const DEFAULT_LEASE_TIMING = { leaseDurationSeconds: 15, renewDeadlineSeconds: 10, retryPeriodSeconds: 2 };

/** What the record last looked like and when (local clock) it was last seen to change. */
export interface Observation {
  record: string;
  atMs: number;
}

export type LeaseDecision = "renew" | "acquire" | "wait";

/** Pure: may `identity` write the Lease now? */
export function leaseDecision(
  spec: LeaseSpec | undefined,
  identity: string,
  observed: Observation | null,
  nowMs: number,
  leaseDurationSeconds: number,
): LeaseDecision {
  const holder = spec?.holderIdentity ?? "";
  if (holder === identity) return "renew";
  if (holder === "") return "acquire";
  const record = `${holder}@${spec?.renewTime ?? ""}`;
  // A record we have not seen before (or that changed) starts a new wait.
  if (observed === null || observed.record !== record) return "wait";
  const duration = (spec?.leaseDurationSeconds ?? leaseDurationSeconds) * 1000;
  return nowMs - observed.atMs >= duration ? "acquire" : "wait";
}

const microTime = (ms: number): string => new Date(ms).toISOString().replace(/Z$/, "000Z");

export class LeaderElector {
  #observed: Observation | null = null;
  #leading = false;
  #lastRenewMs = 0;
  #timer: NodeJS.Timeout | null = null;
  #stopped = false;

  constructor(
    private readonly kube: KubeClient,
    private readonly config: LeaderElectionConfig,
    private readonly callbacks: { onStartedLeading: () => void; onStoppedLeading: () => void },
    private readonly logger: Logger,
  ) {}

  get leading(): boolean {
    return this.#leading;
  }

  start(): void {
    this.#loop();
  }

  /** Stops campaigning; a leader hands the Lease back so another replica need not wait it out. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer !== null) clearTimeout(this.#timer);
    if (!this.#leading) return;
    this.#leading = false;
    const lease = await this.kube.get<Lease>(this.#ref());
    if (lease?.spec?.holderIdentity !== this.config.identity) return;
    await this.kube
      .replace({ ...lease, spec: { ...lease.spec, holderIdentity: "", leaseDurationSeconds: 1 } })
      .catch((error: unknown) => this.logger.warn({ err: error }, "could not release the leader lease"));
  }

  #ref() {
    return {
      apiVersion: "coordination.k8s.io/v1",
      kind: "Lease",
      namespace: this.config.namespace,
      name: this.config.name,
    };
  }

  #loop(): void {
    if (this.#stopped) return;
    this.#tryAcquireOrRenew()
      .catch((error: unknown) => this.logger.warn({ err: error }, "leader election attempt failed"))
      .finally(() => {
        if (this.#leading && Date.now() - this.#lastRenewMs > this.config.renewDeadlineSeconds * 1000) {
          this.#leading = false;
          this.logger.error(
            { identity: this.config.identity },
            "could not renew the leader lease in time: stepping down",
          );
          this.callbacks.onStoppedLeading();
        }
        if (this.#stopped) return;
        this.#timer = setTimeout(() => this.#loop(), this.config.retryPeriodSeconds * 1000);
      });
  }

  async #tryAcquireOrRenew(): Promise<void> {
    const now = Date.now();
    const { identity, leaseDurationSeconds } = this.config;
    const lease = await this.kube.get<Lease>(this.#ref());
    if (lease === null) {
      const spec = {
        holderIdentity: identity,
        leaseDurationSeconds,
        acquireTime: microTime(now),
        renewTime: microTime(now),
        leaseTransitions: 0,
      };
      await this.#write(
        () =>
          this.kube.create({
            apiVersion: "coordination.k8s.io/v1",
            kind: "Lease",
            metadata: { name: this.config.name, namespace: this.config.namespace },
            spec,
          }),
        now,
      );
      return;
    }
    const record = `${lease.spec?.holderIdentity ?? ""}@${lease.spec?.renewTime ?? ""}`;
    if (this.#observed?.record !== record) this.#observed = { record, atMs: now };
    const decision = leaseDecision(lease.spec, identity, this.#observed, now, leaseDurationSeconds);
    if (decision === "wait") {
      if (this.#leading) {
        // Someone else holds it now: we lost it.
        this.#leading = false;
        this.callbacks.onStoppedLeading();
      }
      return;
    }
    const spec: LeaseSpec = {
      ...lease.spec,
      holderIdentity: identity,
      leaseDurationSeconds,
      renewTime: microTime(now),
      ...(decision === "acquire"
        ? { acquireTime: microTime(now), leaseTransitions: (lease.spec?.leaseTransitions ?? 0) + 1 }
        : {}),
    };
    await this.#write(() => this.kube.replace({ ...lease, spec }), now);
  }

  async #write(write: () => Promise<KubeObject>, now: number): Promise<void> {
    try {
      await write();
    } catch (error) {
      // Another replica wrote first: it won this round.
      if (isConflict(error)) return;
      throw error;
    }
    this.#lastRenewMs = now;
    if (!this.#leading) {
      this.#leading = true;
      this.logger.info({ identity: this.config.identity }, "became leader");
      this.callbacks.onStartedLeading();
    }
  }
}
