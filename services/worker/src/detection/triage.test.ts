import { describe, expect, it } from "vitest";
import { TEMPLATE_VERDICT_KIND, type AnomalySeverity, type LearnedVerdict } from "@soc/shared";
import type { Verdict } from "./rules/rule.ts";
import { applyTriage, raisedOneStep, suppresses } from "./triage.ts";

const keyword = (severity: AnomalySeverity): Verdict => ({
  is_anomaly: true,
  reason: "Log contains anomalous keyword.",
  severity,
  rule: "keyword",
  alert: null,
});
const bruteForce: Verdict = {
  is_anomaly: true,
  reason: "Brute-force attempt detected from 198.51.100.7 (5 attempts).",
  severity: "high",
  rule: "brute_force",
  alert: { type: "brute_force", count: 5, windowSeconds: 300, firstSeen: 1, lastSeen: 5, details: {} },
};
const trafficSpike: Verdict = {
  is_anomaly: true,
  reason: "Traffic spike from 198.51.100.7: 90 requests this minute (baseline 3.0 ± 1.0).",
  severity: "high",
  rule: "traffic_spike",
  alert: {
    type: "traffic_spike",
    count: 90,
    windowSeconds: 60,
    firstSeen: 60,
    lastSeen: 90,
    details: { scope: "ip", subject: "198.51.100.7", baseline_mean: 3, baseline_stddev: 1, baseline_minutes: 60 },
  },
};
const learned = (verdict: "suppress" | "raise", severity: AnomalySeverity): LearnedVerdict => ({
  kind: TEMPLATE_VERDICT_KIND,
  verdict,
  source: "billing",
  pattern_id: "00000000000000a1",
  template: "payment denied for order <NUM>",
  severity,
  by: "alice",
  at: 1_700_000_000,
  alert_id: "logs-0-4",
});

describe("a suppression", () => {
  it.each([
    ["info", "info", true],
    ["medium", "low", true],
    ["medium", "medium", true],
    ["medium", "high", false],
    ["high", "critical", false],
  ] as const)("at %s covers a %s finding: %s", (at, severity, expected) => {
    expect(suppresses(at, severity)).toBe(expected);
  });

  it.each(["keyword", "pattern_rate", "new_pattern"] as const)(
    "keeps a %s anomaly but makes it informational",
    (rule) => {
      const verdict: Verdict = { ...keyword("medium"), rule };
      expect(applyTriage(verdict, learned("suppress", "medium"))).toEqual({
        ...verdict,
        severity: "info",
        alert: null,
      });
    },
  );

  it("leaves a more severe finding on the same template alone", () => {
    expect(applyTriage(keyword("high"), learned("suppress", "medium"))).toEqual(keyword("high"));
  });

  it("never touches a normal log or a whitelisted one", () => {
    const normal: Verdict = { is_anomaly: false, reason: null, severity: null, rule: null, alert: null };
    const whitelisted: Verdict = { is_anomaly: false, reason: null, severity: null, rule: "whitelist", alert: null };
    expect(applyTriage(normal, learned("suppress", "critical"))).toBe(normal);
    expect(applyTriage(whitelisted, learned("raise", "high"))).toBe(whitelisted);
  });
});

describe("a raise", () => {
  it.each([
    ["info", "low"],
    ["low", "medium"],
    ["medium", "high"],
    ["high", "high"],
    ["critical", "critical"],
  ] as const)("takes %s one step up to %s, never past high", (from, to) => {
    expect(raisedOneStep(from)).toBe(to);
    expect(applyTriage(keyword(from), learned("raise", "medium")).severity).toBe(to);
  });
});

// Every attacker's failed logins share one template: a dismissed brute-force alert must not
// silence the next attacker, so rules about an address's behaviour learn nothing from triage.
describe.each([
  ["brute force", bruteForce],
  ["a traffic spike", trafficSpike],
])("%s", (_, verdict) => {
  it.each(["suppress", "raise"] as const)(
    "is raised at its severity and keeps its alert after a %s on its template",
    (learnedVerdict) => {
      expect(applyTriage(verdict, learned(learnedVerdict, "high"))).toBe(verdict);
    },
  );
});

it("leaves a verdict alone when analysts said nothing of its template", () => {
  const verdict = keyword("medium");
  expect(applyTriage(verdict, undefined)).toBe(verdict);
});
