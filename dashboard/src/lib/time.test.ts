import { describe, expect, it } from "vitest";
import { bucketLabel, countTicks, perBucket, timeTicks } from "./chart.ts";
import { DEFAULT_RANGE, resolveRange } from "./time-range.ts";
import { fromWallClock, localInputValue, parseLocalInput, toWallClock } from "./time-zone.ts";
import { hashOf, NO_FILTERS, parseHash } from "./url-state.ts";

const at = (iso: string): number => Date.parse(iso) / 1000;
const NEW_YORK = "America/New_York";
const labels = (ticks: { label: string }[]): string[] => ticks.map((tick) => tick.label);

describe("time zones", () => {
  it("reads the wall clock of a zone, in winter and in summer time, and back", () => {
    expect(toWallClock(at("2026-01-15T12:00:00Z"), NEW_YORK)).toBe(at("2026-01-15T07:00:00Z"));
    expect(toWallClock(at("2026-07-15T12:00:00Z"), NEW_YORK)).toBe(at("2026-07-15T08:00:00Z"));
    expect(fromWallClock(at("2026-07-15T08:00:00Z"), NEW_YORK)).toBe(at("2026-07-15T12:00:00Z"));
    expect(toWallClock(at("2026-07-15T12:00:00Z"), "Asia/Kolkata")).toBe(at("2026-07-15T17:30:00Z"));
  });

  it("fills and reads datetime-local fields in the user's zone", () => {
    expect(localInputValue(at("2026-11-27T14:05:59Z"), NEW_YORK)).toBe("2026-11-27T09:05");
    expect(parseLocalInput("2026-11-27T09:05", NEW_YORK)).toBe(at("2026-11-27T14:05:00Z"));
    expect(parseLocalInput("27/11/2026 09:05", NEW_YORK)).toBeNull();
  });
});

describe("time axis", () => {
  it("ticks whole hours of the user's zone, the midnight tick labelled with its date", () => {
    const ticks = timeTicks({ from: at("2026-11-27T01:30:00Z"), to: at("2026-11-27T09:00:00Z") }, 4, NEW_YORK, "en-US");
    expect(ticks.map((tick) => tick.t)).toEqual([
      at("2026-11-27T03:00:00Z"),
      at("2026-11-27T05:00:00Z"),
      at("2026-11-27T07:00:00Z"),
      at("2026-11-27T09:00:00Z"),
    ]);
    expect(labels(ticks)).toEqual(
      ["22:00", "00:00", "02:00", "04:00"].map((label) => (label === "00:00" ? "Nov 27" : label)),
    );
  });

  it("ticks a day's range at midnights and hours in another zone", () => {
    expect(
      labels(timeTicks({ from: at("2026-11-26T12:00:00Z"), to: at("2026-11-27T12:00:00Z") }, 4, "UTC", "en-GB")),
    ).toEqual(["12:00", "18:00", "27 Nov", "06:00", "12:00"]);
  });

  it("ticks a month at local Mondays", () => {
    const ticks = timeTicks({ from: at("2026-11-01T00:00:00Z"), to: at("2026-12-01T00:00:00Z") }, 6, NEW_YORK, "en-US");
    expect(labels(ticks)).toEqual(["Nov 2", "Nov 9", "Nov 16", "Nov 23", "Nov 30"]);
    expect(ticks.every((tick) => new Date(toWallClock(tick.t, NEW_YORK) * 1000).getUTCDay() === 1)).toBe(true);
  });

  it("stays on the local hour across the end of summer time", () => {
    const ticks = timeTicks({ from: at("2026-11-01T03:00:00Z"), to: at("2026-11-01T09:00:00Z") }, 8, NEW_YORK, "en-US");
    expect(ticks.every((tick) => toWallClock(tick.t, NEW_YORK) % 3600 === 0)).toBe(true);
    expect(new Set(ticks.map((tick) => tick.t)).size).toBe(ticks.length);
  });

  it("gives nothing for an empty range", () => {
    expect(timeTicks({ from: 10, to: 10 }, 5, "UTC")).toEqual([]);
  });
});

describe("count axis", () => {
  it.each([
    [0, [0, 1]],
    [3, [0, 1, 2, 3]],
    [7, [0, 2, 4, 6, 8]],
    [38, [0, 10, 20, 30, 40]],
    [1234, [0, 500, 1000, 1500]],
  ])("ticks up to at least %i in round whole steps", (max, ticks) => {
    expect(countTicks(max)).toEqual(ticks);
  });
});

describe("bucket names", () => {
  it("names the bucket width and one bucket in the user's zone", () => {
    expect([
      perBucket(60),
      perBucket(900),
      perBucket(3600),
      perBucket(21_600),
      perBucket(86_400),
      perBucket(604_800),
    ]).toEqual(["per minute", "per 15 minutes", "per hour", "per 6 hours", "per day", "per week"]);
    expect(bucketLabel(at("2026-11-27T14:00:00Z"), 3600, NEW_YORK, "en-US")).toBe("Nov 27, 09:00–10:00");
    expect(bucketLabel(at("2026-11-27T00:00:00Z"), 86_400, "UTC", "en-US")).toBe("Nov 27");
    expect(bucketLabel(at("2026-11-27T00:00:00Z"), 86_400, NEW_YORK, "en-US")).toBe("Nov 26, 19:00 – Nov 27, 19:00");
    expect(bucketLabel(at("2026-11-23T00:00:00Z"), 604_800, "UTC", "en-US")).toBe("Nov 23 – Nov 29");
  });
});

describe("URL state", () => {
  it("reads the view, a preset range and the filters from the hash, and writes them back", () => {
    const state = parseHash("#/alerts?range=7d&ip=203.0.113.7&reason=brute_force&status=new&q=root+login");
    expect(state).toEqual({
      view: "alerts",
      range: { preset: "7d" },
      filters: { status: "new", rule: "brute_force", sourceIp: "203.0.113.7", text: "root login" },
    });
    expect(parseHash(hashOf(state))).toEqual(state);
  });

  it("keeps fixed instants readable, so a shared link shows the sender's alerts", () => {
    const hash = hashOf({
      view: "overview",
      range: { from: at("2025-12-10T00:00:00Z"), to: at("2025-12-11T00:00:00Z") },
      filters: NO_FILTERS,
    });
    expect(hash).toBe("#/overview?from=2025-12-10T00:00:00Z&to=2025-12-11T00:00:00Z");
    expect(parseHash(hash).range).toEqual({ from: at("2025-12-10T00:00:00Z"), to: at("2025-12-11T00:00:00Z") });
    expect(parseHash("#/overview?from=2025-12-10T01:00:00%2B01:00&to=2025-12-10T12:00:00Z").range).toEqual({
      from: at("2025-12-10T00:00:00Z"),
      to: at("2025-12-10T12:00:00Z"),
    });
  });

  it.each([
    ["", { view: "overview", range: DEFAULT_RANGE }],
    ["#/logs", { view: "logs", range: DEFAULT_RANGE }],
    ["#/alerts?range=2y", { view: "alerts", range: DEFAULT_RANGE }],
    ["#/alerts?from=2025-12-10T00:00:00Z", { view: "alerts", range: DEFAULT_RANGE }],
    ["#/alerts?from=2025-12-11T00:00:00Z&to=2025-12-10T00:00:00Z", { view: "alerts", range: DEFAULT_RANGE }],
    ["#/alerts?from=yesterday&to=today", { view: "alerts", range: DEFAULT_RANGE }],
  ])("opens %j with the default range when it names none or a broken one", (hash, expected) => {
    expect(parseHash(hash)).toEqual({ ...expected, filters: NO_FILTERS });
  });

  it("resolves a preset against the clock, and fixed instants as they are", () => {
    expect(resolveRange({ preset: "1h" }, 10_000.7)).toEqual({ from: 6400, to: 10_000 });
    expect(resolveRange({ preset: "30d" }, 3_000_000)).toEqual({ from: 3_000_000 - 30 * 86_400, to: 3_000_000 });
    expect(resolveRange({ from: 5, to: 9 }, 3_000_000)).toEqual({ from: 5, to: 9 });
  });
});
