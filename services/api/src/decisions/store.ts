/**
 * Where bans and the bouncers' views live: Redis for a deployment (redis-store.ts: every API
 * replica sees the same bans), memory with a file in the data directory for the embedded default
 * (memory-store.ts). decision-store.contract.ts runs against both.
 */
import type { Ban, BanRequest } from "./ban.ts";

export interface DecisionStore {
  /** Bans in force at `nowSeconds`, by id. */
  active(nowSeconds: number): Promise<Ban[]>;
  /**
   * Atomically records the ban unless one in force on the same target lasts at least as long
   * (ban.ts, supersedes); answers the ban that stands and whether it is the new one.
   */
  ban(request: BanRequest, nowSeconds: number): Promise<{ ban: Ban; created: boolean }>;
  /** Ends the ban in force on `ip` (canonical text) and answers it; null when there is none. */
  lift(ip: string, nowSeconds: number): Promise<Ban | null>;
  /** The bans a bouncer was last sent (stream.ts); null for a bouncer never seen. */
  bouncerView(bouncer: string): Promise<Ban[] | null>;
  saveBouncerView(bouncer: string, view: Ban[]): Promise<void>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

/**
 * How long a bouncer's view outlives its last pull: past it, every ban it was sent has expired
 * (bans last at most MAX_BAN_SECONDS), so nothing it holds can still need a deletion.
 */
export const bouncerViewTtlSeconds = (maxBanSeconds: number): number => maxBanSeconds + 86_400;
