/**
 * Detection state shared by every worker replica: brute-force windows and request rates. Redis in
 * production (atomic Lua scripts, redis-counters.ts), in memory for the embedded default. The
 * window arithmetic lives once, here; the Lua scripts mirror it and the contract suite proves it.
 */

export interface FailureEvent {
  ip: string;
  timeSeconds: number;
  /** Unique per log message, so a redelivered message is not counted twice. */
  eventId: string;
}

export interface FailureWindow {
  windowSeconds: number;
  threshold: number;
}

export interface FailureResult {
  /** Failures of this IP inside the window, this one included. */
  count: number;
  /** The threshold was reached: the caller alerts and the window starts afresh. */
  triggered: boolean;
  firstSeen: number;
  lastSeen: number;
}

export interface RequestEvent {
  /** What is counted, e.g. `ip:1.2.3.4` or `endpoint:/login`. */
  key: string;
  timeSeconds: number;
}

export interface RateResult {
  /** Requests for the key in the event's minute so far. */
  count: number;
  /** Mean and standard deviation of the previous minutes' counts (the baseline). */
  mean: number;
  stddev: number;
  /** How many previous minutes the baseline covers. */
  minutes: number;
}

export interface Counters {
  /** Applied in order, atomically per event. */
  recordFailures(events: FailureEvent[], window: FailureWindow): Promise<FailureResult[]>;
  recordRequests(events: RequestEvent[], baselineMinutes: number): Promise<RateResult[]>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface WindowEntry {
  id: string;
  time: number;
}

/**
 * One failure into an IP's window: entries older than the window fall out, the event joins
 * (once per id), and reaching the threshold empties the window.
 */
export function slideFailureWindow(
  entries: WindowEntry[],
  event: FailureEvent,
  window: FailureWindow,
): { entries: WindowEntry[]; result: FailureResult } {
  const cutoff = event.timeSeconds - window.windowSeconds;
  const kept = entries.filter((entry) => entry.time > cutoff && entry.id !== event.eventId);
  kept.push({ id: event.eventId, time: event.timeSeconds });
  let firstSeen = event.timeSeconds;
  let lastSeen = event.timeSeconds;
  for (const entry of kept) {
    firstSeen = Math.min(firstSeen, entry.time);
    lastSeen = Math.max(lastSeen, entry.time);
  }
  const triggered = kept.length >= window.threshold;
  return { entries: triggered ? [] : kept, result: { count: kept.length, triggered, firstSeen, lastSeen } };
}

export const minuteOf = (timeSeconds: number): number => Math.floor(timeSeconds / 60);

/**
 * How long a key outlives its last write (Redis EXPIRE, memory eviction): a failure window plus a
 * minute; a rate key's baseline plus the current and a spare minute. Whole seconds, as EXPIRE wants.
 */
export const failureTtlSeconds = (window: FailureWindow): number => Math.ceil(window.windowSeconds) + 60;
export const rateTtlSeconds = (baselineMinutes: number): number => (Math.ceil(baselineMinutes) + 2) * 60;

/** Minute counts a rate key may hold before later (out-of-order, future) minutes are pruned too. */
export const maxMinutesKept = (baselineMinutes: number): number => 2 * baselineMinutes + 2;

/**
 * Whether a rate key keeps the count of minute `m` once an event of `minute` arrives: never older
 * than the baseline; later minutes only while the key is not crowded, so a client sending many
 * distinct future times cannot grow one key (and the scan of it) without bound.
 */
export const keepsMinute = (m: number, minute: number, baselineMinutes: number, crowded: boolean): boolean =>
  m >= minute - baselineMinutes && !(crowded && m > minute + baselineMinutes);

/**
 * Baseline of the `baselineMinutes` minutes before `minute`: minutes since the key was first seen
 * count as zero when empty; earlier ones are not part of its history.
 */
export function baselineOf(
  countsByMinute: Map<number, number>,
  firstMinute: number,
  minute: number,
  baselineMinutes: number,
): { mean: number; stddev: number; minutes: number } {
  const span = Math.min(minute - firstMinute, baselineMinutes);
  if (!(span > 0)) return { mean: 0, stddev: 0, minutes: 0 };
  let sum = 0;
  let squares = 0;
  // Counted by steps, not by minute: at huge event times m + 1 === m and a minute loop never ends.
  for (let step = 1; step <= span; step++) {
    const count = countsByMinute.get(minute - step) ?? 0;
    sum += count;
    squares += count * count;
  }
  const mean = sum / span;
  return { mean, stddev: Math.sqrt(Math.max(0, squares / span - mean * mean)), minutes: span };
}
