import { describe, expect, it } from "vitest";
import { dueMonth } from "./schedule.ts";

describe("the month a run reports on", () => {
  it.each([
    // On time, on the 1st at 06:00.
    ["2026-12-01T06:00:00Z", { dayOfMonth: 1, hourUtc: 6 }, "2026-11"],
    ["2027-01-01T06:00:30Z", { dayOfMonth: 1, hourUtc: 6 }, "2026-12"],
    // A retry hours later, and a run started by hand before this month's schedule.
    ["2026-12-02T09:00:00Z", { dayOfMonth: 1, hourUtc: 6 }, "2026-11"],
    ["2026-12-01T05:59:59Z", { dayOfMonth: 1, hourUtc: 6 }, "2026-10"],
    // Scheduled on February 28 at 23:00, started after midnight: still January's, not February's.
    ["2026-03-01T00:30:00Z", { dayOfMonth: 28, hourUtc: 23 }, "2026-01"],
    ["2026-02-28T23:00:00Z", { dayOfMonth: 28, hourUtc: 23 }, "2026-01"],
  ])("a run at %s on schedule %o reports on %s", (now, schedule, month) => {
    expect(dueMonth(new Date(now), schedule)).toBe(month);
  });
});
