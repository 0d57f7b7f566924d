/**
 * In-process Counters for the embedded default and unit tests. Bounded like Redis with TTLs: every
 * key expires after the same time as in redis-counters.ts, and beyond `maxKeys` the least recently
 * written key goes, so a flood of distinct attacker keys cannot grow the heap.
 */
import {
  baselineOf,
  failureTtlSeconds,
  keepsMinute,
  maxMinutesKept,
  minuteOf,
  rateTtlSeconds,
  slideFailureWindow,
  type Counters,
  type RateResult,
  type WindowEntry,
} from "./counters.ts";

interface RateState {
  firstMinute: number;
  counts: Map<number, number>;
  baselineMinute: number;
  baseline: { mean: number; stddev: number; minutes: number };
}

export interface MemoryCountersOptions {
  /** Keys kept of each kind (failure windows, request rates); 100,000 by default. */
  maxKeys?: number;
  /** Wall clock in epoch ms, for key expiry (as Redis TTLs); injectable for tests. */
  now?: () => number;
}

export interface MemoryCounters extends Counters {
  /** Keys held of each kind. */
  sizes(): { windows: number; rates: number };
}

/** Keys in order of last write: expired ones leave from the front, then the oldest beyond `maxKeys`. */
function expiringLru<V>(maxKeys: number, now: () => number) {
  const slots = new Map<string, { value: V; expiresAt: number }>();
  return {
    get(key: string): V | undefined {
      const slot = slots.get(key);
      return slot !== undefined && slot.expiresAt > now() ? slot.value : undefined;
    },
    set(key: string, value: V, ttlSeconds: number): void {
      const time = now();
      slots.delete(key);
      slots.set(key, { value, expiresAt: time + ttlSeconds * 1000 });
      for (const [oldest, slot] of slots) {
        if (slot.expiresAt > time && slots.size <= maxKeys) break;
        slots.delete(oldest);
      }
    },
    delete(key: string): void {
      slots.delete(key);
    },
    get size(): number {
      return slots.size;
    },
  };
}

export function createMemoryCounters(options: MemoryCountersOptions = {}): MemoryCounters {
  const maxKeys = options.maxKeys ?? 100_000;
  if (!(maxKeys >= 1)) throw new Error("maxKeys must be at least 1");
  const now = options.now ?? Date.now;
  const windows = expiringLru<WindowEntry[]>(maxKeys, now);
  const rates = expiringLru<RateState>(maxKeys, now);

  const recordRequest = (key: string, timeSeconds: number, baselineMinutes: number): RateResult => {
    const minute = minuteOf(timeSeconds);
    const state = rates.get(key) ?? {
      firstMinute: minute,
      counts: new Map(),
      baselineMinute: Number.NaN,
      baseline: { mean: 0, stddev: 0, minutes: 0 },
    };
    const count = (state.counts.get(minute) ?? 0) + 1;
    state.counts.set(minute, count);
    // The baseline of a minute is fixed by earlier minutes: compute it once per minute.
    if (state.baselineMinute !== minute) {
      state.baseline = baselineOf(state.counts, state.firstMinute, minute, baselineMinutes);
      state.baselineMinute = minute;
      const crowded = state.counts.size > maxMinutesKept(baselineMinutes);
      for (const m of state.counts.keys())
        if (!keepsMinute(m, minute, baselineMinutes, crowded)) state.counts.delete(m);
    }
    rates.set(key, state, rateTtlSeconds(baselineMinutes));
    return { count, ...state.baseline };
  };

  return {
    async recordFailures(events, window) {
      return events.map((event) => {
        const { entries, result } = slideFailureWindow(windows.get(event.ip) ?? [], event, window);
        if (entries.length === 0) windows.delete(event.ip);
        else windows.set(event.ip, entries, failureTtlSeconds(window));
        return result;
      });
    },
    async recordRequests(events, baselineMinutes) {
      return events.map((event) => recordRequest(event.key, event.timeSeconds, baselineMinutes));
    },
    sizes: () => ({ windows: windows.size, rates: rates.size }),
    async ping() {},
    async close() {},
  };
}
