import { createMemoryCounters } from "@soc/shared/memory";
import { describe, expect, it } from "vitest";
import { evaluateRule } from "./engine.ts";
import { renderReason, type RuleEvent } from "./evaluate.ts";
import type { RuleFields } from "./fields.ts";
import { parseRule, type DataRule } from "./schema.ts";

const T0 = 1_700_000_000;
const failure = (ip: string, user = "root"): RuleFields => ({
  "client.address": ip,
  "user.name": user,
  "event.outcome": "failure",
  "event.action": "sshd-failed-auth",
});
const success = (ip: string, user = "root"): RuleFields => ({
  "client.address": ip,
  "user.name": user,
  "event.outcome": "success",
});

/** Runs events (fields at a second offset from T0) through one rule on fresh counters: which events alerted, and how. */
async function replay(rule: DataRule, events: [offset: number, fields: RuleFields][]) {
  const counters = createMemoryCounters();
  const alerts = [];
  for (const [i, [offset, fields]] of events.entries()) {
    const event: RuleEvent = { fields, timeSeconds: T0 + offset, eventId: `e${i}` };
    const alert = await evaluateRule(rule, event, counters);
    if (alert !== null) alerts.push({ at: i, ...alert });
  }
  return alerts;
}

const base = { title: "t", severity: "high", techniques: ["T1110"], key: "client.address", windowSeconds: 300 };
const bruteForce = parseRule(
  {
    ...base,
    id: "bf",
    kind: "threshold",
    match: { "event.action": { exists: true } },
    threshold: 3,
    reason: "{count} from {client.address} in {window}",
  },
  "t",
);
const spraying = parseRule(
  {
    ...base,
    id: "spray",
    kind: "distinct",
    match: { "event.outcome": "failure" },
    distinct: "user.name",
    threshold: 3,
    reason: "{count} users from {key}",
  },
  "t",
);
const compromise = parseRule(
  {
    ...base,
    id: "seq",
    kind: "sequence",
    severity: "critical",
    failure: { "event.outcome": "failure" },
    success: { "event.outcome": "success" },
    threshold: 3,
    reason: "{user.name} in from {client.address} after {count} failures",
  },
  "t",
);

describe("threshold rule", () => {
  it("fires on the Nth matching event of a key within the window, then starts afresh", async () => {
    const alerts = await replay(bruteForce, [
      [0, failure("a")],
      [10, failure("b")],
      [20, failure("a")],
      [30, success("a")],
      [40, failure("a")],
      [50, failure("a")],
    ]);
    expect(
      alerts.map(({ at, key, count, reason, firstSeen, lastSeen }) => ({
        at,
        key,
        count,
        reason,
        firstSeen,
        lastSeen,
      })),
    ).toEqual([{ at: 4, key: "a", count: 3, reason: "3 from a in 5 minutes", firstSeen: T0, lastSeen: T0 + 40 }]);
  });

  it("lets events older than the window fall out", async () => {
    expect(
      await replay(bruteForce, [
        [0, failure("a")],
        [100, failure("a")],
        [301, failure("a")],
      ]),
    ).toEqual([]);
  });

  it("counts an event that arrives late but inside the window", async () => {
    const alerts = await replay(bruteForce, [
      [200, failure("a")],
      [100, failure("a")],
      [250, failure("a")],
    ]);
    expect(alerts.map(({ at, firstSeen, lastSeen }) => ({ at, firstSeen, lastSeen }))).toEqual([
      { at: 2, firstSeen: T0 + 100, lastSeen: T0 + 250 },
    ]);
  });

  it("ignores events without the key field", async () => {
    const { "client.address": _, ...noAddress } = failure("a");
    expect(
      await replay(bruteForce, [
        [0, noAddress],
        [1, noAddress],
        [2, noAddress],
      ]),
    ).toEqual([]);
  });
});

describe("distinct rule", () => {
  it("counts distinct values, not events: one address trying many user names", async () => {
    const alerts = await replay(spraying, [
      [0, failure("a", "root")],
      [1, failure("a", "root")],
      [2, failure("a", "admin")],
      [3, failure("a", "admin")],
      [4, failure("a", "oracle")],
    ]);
    expect(alerts.map(({ at, count, reason }) => ({ at, count, reason }))).toEqual([
      { at: 4, count: 3, reason: "3 users from a" },
    ]);
  });

  it("keeps addresses apart and drops values seen before the window", async () => {
    expect(
      await replay(spraying, [
        [0, failure("a", "u1")],
        [1, failure("b", "u2")],
        [2, failure("a", "u3")],
        [400, failure("a", "u4")],
      ]),
    ).toEqual([]);
  });

  it("counts a value that arrives late but inside the window", async () => {
    const alerts = await replay(spraying, [
      [100, failure("a", "u1")],
      [50, failure("a", "u2")],
      [120, failure("a", "u3")],
    ]);
    expect(alerts.map(({ at, firstSeen }) => ({ at, firstSeen }))).toEqual([{ at: 2, firstSeen: T0 + 50 }]);
  });
});

describe("sequence rule", () => {
  it("fires on a success after N failures of the key within the window, at the highest severity", async () => {
    const alerts = await replay(compromise, [
      [0, failure("a")],
      [5, failure("a")],
      [10, failure("a")],
      [20, success("a", "alice")],
    ]);
    expect(alerts.map(({ at, severity, reason }) => ({ at, severity, reason }))).toEqual([
      { at: 3, severity: "critical", reason: "alice in from a after 3 failures" },
    ]);
  });

  it("does not fire on fewer failures, another key's success, or a success after the window", async () => {
    expect(
      await replay(compromise, [
        [0, failure("a")],
        [5, failure("a")],
        [10, success("a")],
      ]),
    ).toEqual([]);
    expect(
      await replay(compromise, [
        [0, failure("a")],
        [5, failure("a")],
        [10, failure("a")],
        [20, success("b")],
      ]),
    ).toEqual([]);
    expect(
      await replay(compromise, [
        [0, failure("a")],
        [5, failure("a")],
        [10, failure("a")],
        [311, success("a")],
      ]),
    ).toEqual([]);
  });

  it("does not fire when the success came before the failures, and stays armed for a later one", async () => {
    const alerts = await replay(compromise, [
      [0, success("a")],
      [5, failure("a")],
      [6, failure("a")],
      [7, failure("a")],
      [60, success("a")],
    ]);
    expect(alerts.map(({ at }) => at)).toEqual([4]);
  });

  it("fires when a success that happened after the failures is processed before the last of them", async () => {
    const alerts = await replay(compromise, [
      [0, failure("a")],
      [5, failure("a")],
      [30, success("a")],
      [10, failure("a")],
    ]);
    expect(alerts.map(({ at }) => at)).toEqual([3]);
  });

  it("does not fire when a success processed late happened before the failures", async () => {
    expect(
      await replay(compromise, [
        [10, failure("a")],
        [11, failure("a")],
        [12, failure("a")],
        [5, success("a")],
      ]),
    ).toEqual([]);
  });

  it("is not evaded by many more failures than the threshold", async () => {
    const failures: [number, RuleFields][] = Array.from({ length: 20 }, (_, i) => [i, failure("a")]);
    const alerts = await replay(compromise, [...failures, [30, success("a")]]);
    expect(alerts.map(({ at }) => at)).toEqual([20]);
  });
});

describe("renderReason", () => {
  it("fills facts and fields, and writes a missing field as unknown", () => {
    expect(
      renderReason(
        "{count} in {window} for {user.name} on {host.name}",
        { count: 2, windowSeconds: 3600, key: "k" },
        { "user.name": "bob" },
      ),
    ).toBe("2 in 1 hour for bob on unknown");
    expect(renderReason("{window}", { count: 1, windowSeconds: 90, key: "k" }, {})).toBe("90 seconds");
  });
});
