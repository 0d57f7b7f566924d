/**
 * Digests of drain bodies already accepted, so a delivery seen again (a replay, or a sender's retry
 * after a lost answer) is answered without publishing twice. Bounded in entries and in time: the
 * oldest entry goes first, so memory stays fixed whatever the traffic.
 */
export interface ReplayCache {
  has(key: string): boolean;
  add(key: string): void;
  /** For a delivery that was not published after all (the bus failed), so its retry is taken. */
  delete(key: string): void;
}

export function replayCache(options: { maxEntries?: number; ttlMs?: number; now?: () => number } = {}): ReplayCache {
  const maxEntries = options.maxEntries ?? 10_000;
  const ttlMs = options.ttlMs ?? 60 * 60 * 1000;
  const now = options.now ?? Date.now;
  // Insertion order is expiry order (one TTL for all), so expired entries are always at the front.
  const expiries = new Map<string, number>();
  const evictExpired = (): void => {
    for (const [key, expiresAt] of expiries) {
      if (expiresAt > now()) return;
      expiries.delete(key);
    }
  };
  return {
    has(key) {
      evictExpired();
      return expiries.has(key);
    },
    add(key) {
      evictExpired();
      expiries.delete(key);
      expiries.set(key, now() + ttlMs);
      for (const oldest of expiries.keys()) {
        if (expiries.size <= maxEntries) break;
        expiries.delete(oldest);
      }
    },
    delete(key) {
      expiries.delete(key);
    },
  };
}
