/**
 * The evaluation cores of the data rules, one per kind, each pure: it says which window of the shared
 * counters an event goes into (`WindowStep`) and reads the counters' answer into an alert. The
 * state lives behind the `Counters` interface (memory or Redis), so it is bounded like the built-in
 * brute-force windows: per-key windows with TTLs, the memory adapter's key cap, and windows that
 * hold at most `threshold` entries (reaching it empties them).
 *
 * - threshold: every matching event is an entry; `threshold` entries of a key within the window fire.
 * - distinct: the entry's id is the distinct value, so a value seen again replaces its entry
 *   (Counters dedupe by id) and the window holds one entry per distinct value.
 * - sequence: failures fill a threshold window; when it fires, the key is armed (one `armed` entry
 *   at the time of the last failure, in a second window of two). A success adds a `success` entry
 *   there: both present within the window is the alert, if the success is not older than the arming.
 *   A success that arrives before its failures (out of order) waits there for the arming.
 */
import type { AnomalySeverity, FailureResult, FailureWindow } from "@soc/shared";
import { matches, type RuleFields } from "./fields.ts";
import { PLACEHOLDER, type DataRule, type DistinctRule, type SequenceRule, type ThresholdRule } from "./schema.ts";

export interface RuleEvent {
  fields: RuleFields;
  timeSeconds: number;
  /** Unique and stable per log message, so a redelivered message counts once. */
  eventId: string;
}

/** One entry into one window of the counters. */
export interface WindowStep {
  key: string;
  entryId: string;
  timeSeconds: number;
  window: FailureWindow;
}

export interface RuleAlert {
  rule: string;
  title: string;
  severity: AnomalySeverity;
  techniques: string[];
  reason: string;
  /** The value of the rule's key field, e.g. the client address. */
  key: string;
  count: number;
  windowSeconds: number;
  firstSeen: number;
  lastSeen: number;
}

/** What a core does with an event: the window entry, then (given the counters' answer) an alert, a further step, or nothing. */
export type Outcome = { alert: RuleAlert } | { next: WindowStep; then: (result: FailureResult) => Outcome } | null;
export interface Plan {
  step: WindowStep;
  then: (result: FailureResult) => Outcome;
}

const SEQUENCE_ARMED = "armed";
const SEQUENCE_SUCCESS = "success";

function describeWindow(seconds: number): string {
  const unit =
    seconds % 3600 === 0
      ? ([3600, "hour"] as const)
      : seconds % 60 === 0
        ? ([60, "minute"] as const)
        : ([1, "second"] as const);
  const n = seconds / unit[0];
  return `${n} ${unit[1]}${n === 1 ? "" : "s"}`;
}

/** The rule's reason with its placeholders filled from the facts and the event's fields (placeholders were checked on load). */
export function renderReason(
  template: string,
  facts: { count: number; windowSeconds: number; key: string },
  fields: RuleFields,
): string {
  const values = new Map<string, string | undefined>([
    ["count", String(facts.count)],
    ["window", describeWindow(facts.windowSeconds)],
    ["key", facts.key],
    ...Object.entries(fields),
  ]);
  return template.replace(PLACEHOLDER, (_, name: string) => values.get(name) ?? "unknown");
}

function alertOf(
  rule: DataRule,
  event: RuleEvent,
  key: string,
  count: number,
  seen: { firstSeen: number; lastSeen: number },
): { alert: RuleAlert } {
  return {
    alert: {
      rule: rule.id,
      title: rule.title,
      severity: rule.severity,
      techniques: rule.techniques,
      reason: renderReason(rule.reason, { count, windowSeconds: rule.windowSeconds, key }, event.fields),
      key,
      count,
      windowSeconds: rule.windowSeconds,
      firstSeen: seen.firstSeen,
      lastSeen: seen.lastSeen,
    },
  };
}

const windowKey = (rule: DataRule, part: string, key: string): string => `rule:${rule.id}:${part}:${key}`;

function planThreshold(rule: ThresholdRule, event: RuleEvent): Plan | null {
  const key = event.fields[rule.key];
  if (key === undefined || !matches(event.fields, rule.match)) return null;
  return {
    step: {
      key: windowKey(rule, "events", key),
      entryId: event.eventId,
      timeSeconds: event.timeSeconds,
      window: { windowSeconds: rule.windowSeconds, threshold: rule.threshold },
    },
    then: (result) => (result.triggered ? alertOf(rule, event, key, result.count, result) : null),
  };
}

function planDistinct(rule: DistinctRule, event: RuleEvent): Plan | null {
  const key = event.fields[rule.key];
  const value = event.fields[rule.distinct];
  if (key === undefined || value === undefined || !matches(event.fields, rule.match)) return null;
  return {
    step: {
      key: windowKey(rule, "distinct", key),
      entryId: value,
      timeSeconds: event.timeSeconds,
      window: { windowSeconds: rule.windowSeconds, threshold: rule.threshold },
    },
    then: (result) => (result.triggered ? alertOf(rule, event, key, result.count, result) : null),
  };
}

function planSequence(rule: SequenceRule, event: RuleEvent): Plan | null {
  const key = event.fields[rule.key];
  if (key === undefined) return null;
  const marks: FailureWindow = { windowSeconds: rule.windowSeconds, threshold: 2 };
  const markKey = windowKey(rule, "armed", key);
  // Both marks within the window: an alert when the armed one is the older (or as old), else the
  // success came first and the arming stays for a later success.
  const resolve = (armedAt: number, result: FailureResult): Outcome => {
    if (!result.triggered) return null;
    if (result.firstSeen === armedAt)
      return alertOf(rule, event, key, rule.threshold, { firstSeen: armedAt, lastSeen: result.lastSeen });
    return { next: { key: markKey, entryId: SEQUENCE_ARMED, timeSeconds: armedAt, window: marks }, then: () => null };
  };
  if (matches(event.fields, rule.failure)) {
    return {
      step: {
        key: windowKey(rule, "failures", key),
        entryId: event.eventId,
        timeSeconds: event.timeSeconds,
        window: { windowSeconds: rule.windowSeconds, threshold: rule.threshold },
      },
      then: (failures) =>
        failures.triggered
          ? {
              next: { key: markKey, entryId: SEQUENCE_ARMED, timeSeconds: failures.lastSeen, window: marks },
              then: (armed) => resolve(failures.lastSeen, armed),
            }
          : null,
    };
  }
  if (matches(event.fields, rule.success)) {
    return {
      step: { key: markKey, entryId: SEQUENCE_SUCCESS, timeSeconds: event.timeSeconds, window: marks },
      // The older mark is the arming unless the success is older: then the other one is `armed`, at lastSeen.
      then: (result) =>
        resolve(
          result.firstSeen === event.timeSeconds && result.lastSeen !== event.timeSeconds
            ? result.lastSeen
            : result.firstSeen,
          result,
        ),
    };
  }
  return null;
}

/** The core of the rule's kind. */
export function planOf(rule: DataRule, event: RuleEvent): Plan | null {
  switch (rule.kind) {
    case "threshold":
      return planThreshold(rule, event);
    case "distinct":
      return planDistinct(rule, event);
    case "sequence":
      return planSequence(rule, event);
  }
}
