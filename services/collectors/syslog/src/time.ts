/**
 * Syslog timestamps to epoch seconds. RFC 5424 carries a full RFC 3339 time; RFC 3164's
 * `Mmm dd hh:mm:ss` carries neither year nor zone, so the year is inferred (the most recent such
 * date not in the future) and the zone is the one the collector is told the senders use.
 */

export const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"] as const;

/**
 * How far ahead of the collector's clock a year-less date may be and still count as this year.
 * Wide enough for a sender in a zone other than the configured one (up to 14 h off) and clock
 * drift, small beside the year that pushing a date back costs.
 */
export const FUTURE_SKEW_MS = 26 * 3600 * 1000;

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/i;

/** Milliseconds of a calendar date and time read as UTC, or null when the fields name no real instant (Feb 30, 25:00). */
function utcMillis(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
): number | null {
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 60) return null;
  const ms = Date.UTC(year, month - 1, day, hour, minute, Math.min(second, 59));
  // Date.UTC rolls Feb 30 over into March: a date that does not come back unchanged does not exist.
  const check = new Date(ms);
  if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) return null;
  return ms;
}

/** An RFC 3339 timestamp (RFC 5424's TIMESTAMP, up to nanoseconds) to epoch seconds; null when it is not one. */
export function parseRfc3339(text: string): number | null {
  const match = RFC3339.exec(text);
  if (match === null) return null;
  const [, year, month, day, hour, minute, second, fraction = "", zone = "Z"] = match;
  const ms = utcMillis(Number(year), Number(month), Number(day), Number(hour), Number(minute), Number(second));
  if (ms === null) return null;
  let offsetMinutes = 0;
  if (zone.toUpperCase() !== "Z") {
    const hours = Number(zone.slice(1, 3));
    const minutes = Number(zone.slice(4, 6));
    if (hours > 23 || minutes > 59) return null;
    offsetMinutes = (zone.startsWith("-") ? -1 : 1) * (hours * 60 + minutes);
  }
  const seconds = (ms - offsetMinutes * 60_000) / 1000 + (fraction === "" ? 0 : Number(`0.${fraction}`));
  return seconds >= 0 ? seconds : null;
}

const zoneFormatters = new Map<string, Intl.DateTimeFormat>();

function zoneFormatter(timeZone: string): Intl.DateTimeFormat {
  let formatter = zoneFormatters.get(timeZone);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    zoneFormatters.set(timeZone, formatter);
  }
  return formatter;
}

/** True when `timeZone` is an IANA zone name this runtime knows ("Europe/Berlin", "UTC"). */
export function isTimeZone(timeZone: string): boolean {
  try {
    zoneFormatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** The zone's offset from UTC at `instantMs`, in milliseconds (Europe/Berlin in summer: +7_200_000). */
function zoneOffsetMs(timeZone: string, instantMs: number): number {
  if (timeZone === "UTC") return 0;
  const parts: Record<string, number> = {};
  for (const part of zoneFormatter(timeZone).formatToParts(instantMs))
    if (part.type !== "literal") parts[part.type] = Number(part.value);
  const asUtc = Date.UTC(
    parts.year ?? 1970,
    (parts.month ?? 1) - 1,
    parts.day ?? 1,
    parts.hour ?? 0,
    parts.minute ?? 0,
    parts.second ?? 0,
  );
  return asUtc - (instantMs - (instantMs % 1000));
}

/** A wall-clock time in `timeZone` to epoch ms; in a DST overlap the first of the two instants. */
function zonedMillis(wallClockAsUtc: number, timeZone: string): number {
  const first = wallClockAsUtc - zoneOffsetMs(timeZone, wallClockAsUtc);
  // The offset at the guess may differ from the one at the answer (near a DST change): one correction settles it.
  return wallClockAsUtc - zoneOffsetMs(timeZone, first);
}

export interface YearlessTime {
  /** 1-12 */
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** Fraction of a second, 0 when none was written. */
  fraction: number;
}

/**
 * RFC 3164's year-less time to epoch seconds: in `timeZone`, the latest year whose date is not
 * more than FUTURE_SKEW_MS after `nowMs` (Dec 31 received on Jan 1 is last year's; Feb 29 the last
 * leap year's). Null when no year in the last eight has that date (Feb 30).
 */
export function inferYearlessTime(time: YearlessTime, timeZone: string, nowMs: number): number | null {
  const nowYear = new Date(nowMs + zoneOffsetMs(timeZone, nowMs)).getUTCFullYear();
  for (let year = nowYear + 1; year >= nowYear - 8; year--) {
    const wallClock = utcMillis(year, time.month, time.day, time.hour, time.minute, time.second);
    if (wallClock === null) continue;
    const ms = zonedMillis(wallClock, timeZone);
    if (ms <= nowMs + FUTURE_SKEW_MS) return ms / 1000 + time.fraction;
  }
  return null;
}
