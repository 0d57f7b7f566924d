/**
 * The scales of the dashboard's charts: tick positions and labels for a time axis in the user's
 * time zone, tick values for a count axis, and how a bucket is named. Pure: zone and locale are
 * arguments.
 */
import { fromWallClock, toWallClock } from "./time-zone.ts";

export interface TimeTick {
  /** Epoch seconds. */
  t: number;
  label: string;
}

const MINUTE = 60;
const HOUR = 3600;
const DAY = 86_400;
const WEEK = 7 * DAY;
const TICK_STEPS = [
  MINUTE,
  5 * MINUTE,
  10 * MINUTE,
  15 * MINUTE,
  30 * MINUTE,
  HOUR,
  2 * HOUR,
  3 * HOUR,
  6 * HOUR,
  12 * HOUR,
  DAY,
  2 * DAY,
  WEEK,
  2 * WEEK,
];
/** Wall-clock day 4 of the epoch (1970-01-05) was a Monday: week ticks fall on Mondays. */
const FIRST_MONDAY = 4 * DAY;

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(
  locale: string | undefined,
  timeZone: string,
  options: Intl.DateTimeFormatOptions,
): Intl.DateTimeFormat {
  const key = `${locale ?? ""}|${timeZone}|${JSON.stringify(options)}`;
  let cached = formatters.get(key);
  if (cached === undefined) {
    cached = new Intl.DateTimeFormat(locale, { timeZone, ...options });
    formatters.set(key, cached);
  }
  return cached;
}
const DATE: Intl.DateTimeFormatOptions = { month: "short", day: "numeric" };
const CLOCK: Intl.DateTimeFormatOptions = { hour: "2-digit", minute: "2-digit", hourCycle: "h23" };

export const formatDate = (t: number, timeZone: string, locale?: string): string =>
  formatter(locale, timeZone, DATE).format(t * 1000);
export const formatClock = (t: number, timeZone: string, locale?: string): string =>
  formatter(locale, timeZone, CLOCK).format(t * 1000);

/**
 * Ticks at round wall-clock times (whole minutes, hours, midnights, Mondays) of `timeZone` within
 * [from, to], at most `maxTicks` of them. A tick at midnight is labelled with its date, others
 * with their time.
 */
export function timeTicks(
  domain: { from: number; to: number },
  maxTicks: number,
  timeZone: string,
  locale?: string,
): TimeTick[] {
  const span = domain.to - domain.from;
  if (!(span > 0) || maxTicks < 1) return [];
  const step = TICK_STEPS.find((candidate) => span / candidate <= maxTicks) ?? (TICK_STEPS.at(-1) as number);
  const anchor = step % WEEK === 0 ? FIRST_MONDAY : 0;
  const ticks: TimeTick[] = [];
  for (let wall = Math.ceil((toWallClock(domain.from, timeZone) - anchor) / step) * step + anchor; ; wall += step) {
    const t = fromWallClock(wall, timeZone);
    if (t > domain.to) break;
    if (t < domain.from || ticks.at(-1)?.t === t) continue;
    ticks.push({ t, label: wall % DAY === 0 ? formatDate(t, timeZone, locale) : formatClock(t, timeZone, locale) });
  }
  return ticks;
}

/** Round values from 0 up to at least `max`, about `target` steps of 1, 2 or 5 × 10ⁿ (whole counts). */
export function countTicks(max: number, target = 4): number[] {
  if (!(max > 0)) return [0, 1];
  const raw = max / target;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = Math.max(1, [1, 2, 5, 10].map((m) => m * magnitude).find((candidate) => candidate >= raw) as number);
  const top = Math.ceil(max / step) * step;
  return Array.from({ length: top / step + 1 }, (_, i) => i * step);
}

/** "per hour", "per 6 hours", "per 15 minutes": how the chart's title names its bucket. */
export function perBucket(bucketSeconds: number): string {
  const units: [number, string][] = [
    [WEEK, "week"],
    [DAY, "day"],
    [HOUR, "hour"],
    [MINUTE, "minute"],
  ];
  const [size, unit] = units.find(([seconds]) => bucketSeconds % seconds === 0) ?? [1, "second"];
  const count = bucketSeconds / size;
  return count === 1 ? `per ${unit}` : `per ${count} ${unit}s`;
}

/**
 * A bucket as a reader names it in `timeZone`: "Nov 27, 14:00–15:00"; "Nov 27" for a day and
 * "Nov 24 – Nov 30" for a week that run midnight to midnight there; with times when they do not
 * (the API's buckets start at UTC midnight).
 */
export function bucketLabel(t: number, bucketSeconds: number, timeZone: string, locale?: string): string {
  const end = t + bucketSeconds;
  const date = (x: number): string => formatDate(x, timeZone, locale);
  const clock = (x: number): string => formatClock(x, timeZone, locale);
  if (bucketSeconds < DAY) return `${date(t)}, ${clock(t)}–${clock(end)}`;
  const atMidnight = (x: number): boolean => toWallClock(x, timeZone) % DAY === 0;
  if (!atMidnight(t) || !atMidnight(end)) return `${date(t)}, ${clock(t)} – ${date(end)}, ${clock(end)}`;
  return bucketSeconds === DAY ? date(t) : `${date(t)} – ${date(end - DAY)}`;
}
