/**
 * Wall-clock arithmetic in a named IANA time zone, with Intl only (no zone database shipped):
 * what a clock in that zone shows at an instant, and back. Pure given the zone.
 */

const formatters = new Map<string, Intl.DateTimeFormat>();

function partsFormatter(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
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
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/**
 * The instant as "wall seconds": the epoch seconds at which a UTC clock would show what a clock
 * in `timeZone` shows then. Wall-clock midnights and whole hours are multiples of 86 400 and 3 600.
 */
export function toWallClock(epochSeconds: number, timeZone: string): number {
  const whole = Math.floor(epochSeconds);
  const parts = Object.fromEntries(
    partsFormatter(timeZone)
      .formatToParts(new Date(whole * 1000))
      .map((part) => [part.type, Number(part.value)]),
  );
  const wall =
    Date.UTC(
      parts.year ?? 1970,
      (parts.month ?? 1) - 1,
      parts.day ?? 1,
      parts.hour ?? 0,
      parts.minute ?? 0,
      parts.second ?? 0,
    ) / 1000;
  return wall + (epochSeconds - whole);
}

/** The instant a clock in `timeZone` shows `wallSeconds`; in a daylight-saving gap, the instant just after it. */
export function fromWallClock(wallSeconds: number, timeZone: string): number {
  const guess = wallSeconds - (toWallClock(wallSeconds, timeZone) - wallSeconds);
  return wallSeconds - (toWallClock(guess, timeZone) - guess);
}

/** The value of an `<input type="datetime-local">` showing the instant in `timeZone`: "2026-11-27T14:05". */
export function localInputValue(epochSeconds: number, timeZone: string): string {
  return new Date(Math.floor(toWallClock(epochSeconds, timeZone) / 60) * 60_000).toISOString().slice(0, 16);
}

/** The instant an `<input type="datetime-local">` value names in `timeZone`, or null if it names none. */
export function parseLocalInput(value: string, timeZone: string): number | null {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(value)) return null;
  const wall = Date.parse(`${value}Z`) / 1000;
  return Number.isNaN(wall) ? null : fromWallClock(wall, timeZone);
}

/** The browser's time zone, e.g. "Europe/Berlin": charts and the range picker show times in it. */
export const userTimeZone = (): string => Intl.DateTimeFormat().resolvedOptions().timeZone;
