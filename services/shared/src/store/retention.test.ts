import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  backingIndexOf,
  currentIndices,
  DEFAULT_LAYOUT,
  isExpired,
  keptFrom,
  parseBackingIndex,
  retentionPlan,
  WRITE_GRACE_SECONDS,
  type RetentionPolicy,
} from "./retention.ts";

const at = (iso: string): number => Date.parse(iso) / 1000;
const POLICY: RetentionPolicy = { normalDays: 30, anomalyDays: 400 };
const NOW = at("2026-11-27T10:00:00Z");
const normal = (timestamp: number) => ({ is_anomaly: false, timestamp });
const anomaly = (timestamp: number) => ({ is_anomaly: true, timestamp });

describe("where a document is written", () => {
  it("goes to its family's index of its event day (normal) or month (anomalies)", () => {
    expect(backingIndexOf("processed_logs", normal(at("2026-11-27T09:59:59Z")), DEFAULT_LAYOUT, POLICY, NOW)).toBe(
      "processed_logs-normal-2026.11.27",
    );
    expect(backingIndexOf("processed_logs", anomaly(at("2026-11-01T00:00:00Z")), DEFAULT_LAYOUT, POLICY, NOW)).toBe(
      "processed_logs-anomalies-2026.11",
    );
    expect(
      backingIndexOf(
        "processed_logs",
        anomaly(at("2026-11-01T00:00:00Z")),
        { normal: "day", anomalies: "day" },
        POLICY,
        NOW,
      ),
    ).toBe("processed_logs-anomalies-2026.11.01");
  });

  it("writes a late event still within retention to its own day", () => {
    expect(backingIndexOf("p", normal(at("2026-10-28T23:00:00Z")), DEFAULT_LAYOUT, POLICY, NOW)).toBe(
      "p-normal-2026.10.28",
    );
  });

  it("writes an event older than its family keeps to the oldest period kept, and a future one to today", () => {
    expect(backingIndexOf("p", normal(at("2025-01-01T00:00:00Z")), DEFAULT_LAYOUT, POLICY, NOW)).toBe(
      "p-normal-2026.10.28",
    );
    expect(backingIndexOf("p", anomaly(at("2020-01-01T00:00:00Z")), DEFAULT_LAYOUT, POLICY, NOW)).toBe(
      "p-anomalies-2025.10",
    );
    expect(backingIndexOf("p", anomaly(at("2099-01-01T00:00:00Z")), DEFAULT_LAYOUT, POLICY, NOW)).toBe(
      "p-anomalies-2026.11",
    );
    expect(backingIndexOf("p", normal(-5), DEFAULT_LAYOUT, null, NOW)).toBe("p-normal-1970.01.01");
  });

  it("names the current indices made at start-up", () => {
    expect(currentIndices("p", DEFAULT_LAYOUT, NOW)).toEqual(["p-normal-2026.11.27", "p-anomalies-2026.11"]);
  });
});

describe("index names", () => {
  it("reads back the family and period of names it made, of either layout", () => {
    expect(parseBackingIndex("p", "p-normal-2024.02.29")).toEqual({
      kind: "period",
      family: "normal",
      start: at("2024-02-29T00:00:00Z"),
      end: at("2024-03-01T00:00:00Z"),
    });
    expect(parseBackingIndex("p", "p-anomalies-2024.12")).toEqual({
      kind: "period",
      family: "anomalies",
      start: at("2024-12-01T00:00:00Z"),
      end: at("2025-01-01T00:00:00Z"),
    });
    expect(parseBackingIndex("p", "p-legacy")).toEqual({ kind: "legacy" });
  });

  it.each([
    "p-normal-2025.02.30",
    "p-normal-2025.13",
    "p-other-2025.01.01",
    "p-normal-2025.01.01-restored",
    "q-normal-2025.01.01",
    "p-shop-normal-2025.01.01",
    "p",
  ])("knows nothing of %s", (name) => {
    expect(parseBackingIndex("p", name)).toBeNull();
  });
});

describe("the retention plan", () => {
  const indices = [
    "p-normal-2026.10.27", // ended 2026-10-28 00:00, the normal cut-off: expired
    "p-normal-2026.10.28", // the oldest day kept
    "p-normal-2026.11.27", // today
    "p-anomalies-2025.09", // ended 2025-10-01, before the 400-day cut-off (2025-10-23)
    "p-anomalies-2025.10", // holds 2025-10-23..31: kept whole
    "p-anomalies-2026.11",
    "p-legacy",
    "p-restored-by-hand",
  ];

  it("deletes whole periods past their family's retention, prunes the legacy index and leaves the rest", () => {
    expect(retentionPlan("p", indices, POLICY, NOW)).toEqual({
      deleteIndices: ["p-anomalies-2025.09", "p-normal-2026.10.27"],
      pruneIndices: [
        { index: "p-legacy", keptFrom: { normal: at("2026-10-28T00:00:00Z"), anomalies: at("2025-10-23T00:00:00Z") } },
      ],
    });
  });

  it("waits WRITE_GRACE_SECONDS after midnight before deleting the day that just left the writers' range", () => {
    const midnight = at("2026-11-28T00:00:00Z");
    const plan = (now: number) => retentionPlan("p", ["p-normal-2026.10.28"], POLICY, now).deleteIndices;
    expect(backingIndexOf("p", normal(0), DEFAULT_LAYOUT, POLICY, midnight - 1)).toBe("p-normal-2026.10.28");
    expect(plan(midnight + WRITE_GRACE_SECONDS - 1)).toEqual([]);
    expect(plan(midnight + WRITE_GRACE_SECONDS)).toEqual(["p-normal-2026.10.28"]);
  });

  it("never deletes an index the writers may still write, whatever the clock, policy and event times", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: at("2000-01-01T00:00:00Z"), max: at("2100-01-01T00:00:00Z") }),
        fc.integer({ min: 1, max: 800 }),
        fc.integer({ min: 1, max: 800 }),
        fc.array(
          fc.record({ is_anomaly: fc.boolean(), timestamp: fc.integer({ min: 0, max: at("2200-01-01T00:00:00Z") }) }),
          { maxLength: 20 },
        ),
        fc.constantFrom<"day" | "month">("day", "month"),
        (now, normalDays, anomalyDays, docs, anomalies) => {
          const policy = { normalDays, anomalyDays };
          const layout = { normal: "day" as const, anomalies };
          // Written just before, at or after the moment of the run (a writer's clock slightly behind or ahead).
          const written = [now - WRITE_GRACE_SECONDS + 1, now, now + 600].flatMap((clock) =>
            docs.map((doc) => backingIndexOf("p", doc, layout, policy, clock)),
          );
          const current = currentIndices("p", layout, now);
          const deleted = retentionPlan("p", [...written, ...current], policy, now).deleteIndices;
          expect(deleted.filter((name) => written.includes(name) || current.includes(name))).toEqual([]);
        },
      ),
    );
  });
});

describe("which documents are expired", () => {
  it("counts whole days back from the start of today (UTC), per family", () => {
    expect(keptFrom("normal", POLICY, NOW)).toBe(at("2026-10-28T00:00:00Z"));
    expect(isExpired(normal(at("2026-10-27T23:59:59Z")), POLICY, NOW)).toBe(true);
    expect(isExpired(normal(at("2026-10-28T00:00:00Z")), POLICY, NOW)).toBe(false);
    expect(isExpired(anomaly(at("2026-01-01T00:00:00Z")), POLICY, NOW)).toBe(false);
  });
});
