import { describe, expect, it } from "vitest";
import { nextRunAt, previousMonth } from "./schedule.ts";

describe("report schedule", () => {
  it.each([
    ["2026-11-24T12:00:00Z", "2026-12-01T06:00:00.000Z"],
    ["2026-12-01T05:59:59Z", "2026-12-01T06:00:00.000Z"],
    ["2026-12-01T06:00:00Z", "2027-01-01T06:00:00.000Z"],
    ["2026-12-31T23:00:00Z", "2027-01-01T06:00:00.000Z"],
  ])("after %s the next run is %s", (now, expected) => {
    expect(nextRunAt(new Date(now), { dayOfMonth: 1, hourUtc: 6 }).toISOString()).toBe(expected);
  });

  it.each([
    ["2026-12-01T06:00:00Z", "2026-11"],
    ["2027-01-01T06:00:00Z", "2026-12"],
  ])("a run at %s reports on %s", (now, month) => {
    expect(previousMonth(new Date(now))).toBe(month);
  });
});
