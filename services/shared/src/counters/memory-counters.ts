/** In-process Counters for the embedded default and unit tests. */
import { baselineOf, minuteOf, slideFailureWindow, type Counters, type RateResult, type WindowEntry } from "./counters.ts";

interface RateState {
  firstMinute: number;
  counts: Map<number, number>;
  baselineMinute: number;
  baseline: { mean: number; stddev: number; minutes: number };
}

export function createMemoryCounters(): Counters {
  const windows = new Map<string, WindowEntry[]>();
  const rates = new Map<string, RateState>();

  const recordRequest = (key: string, timeSeconds: number, baselineMinutes: number): RateResult => {
    const minute = minuteOf(timeSeconds);
    let state = rates.get(key);
    if (state === undefined) {
      state = { firstMinute: minute, counts: new Map(), baselineMinute: Number.NaN, baseline: { mean: 0, stddev: 0, minutes: 0 } };
      rates.set(key, state);
    }
    const count = (state.counts.get(minute) ?? 0) + 1;
    state.counts.set(minute, count);
    // The baseline of a minute is fixed by earlier minutes: compute it once per minute.
    if (state.baselineMinute !== minute) {
      state.baseline = baselineOf(state.counts, state.firstMinute, minute, baselineMinutes);
      state.baselineMinute = minute;
      for (const old of state.counts.keys()) if (old < minute - baselineMinutes) state.counts.delete(old);
    }
    return { count, ...state.baseline };
  };

  return {
    async recordFailures(events, window) {
      return events.map((event) => {
        const { entries, result } = slideFailureWindow(windows.get(event.ip) ?? [], event, window);
        if (entries.length === 0) windows.delete(event.ip);
        else windows.set(event.ip, entries);
        return result;
      });
    },
    async recordRequests(events, baselineMinutes) {
      return events.map((event) => recordRequest(event.key, event.timeSeconds, baselineMinutes));
    },
    async ping() {},
    async close() {},
  };
}
