/**
 * What analysts' triage of a template does to a later verdict on it (pure). A suppression (they
 * called an alert of it a false positive) keeps the anomaly but makes it informational and
 * notifies nobody, up to the dismissed alert's severity: a more severe finding on the same
 * template still alerts. A raise (they resolved one as real) makes it one step more severe, up to
 * high: learning never makes anything critical. Only rules about a template's text learn; rules
 * about an address's behaviour (brute force, spikes) do not.
 */
import {
  ANOMALY_SEVERITIES,
  severityRank as rank,
  TEMPLATE_RULES,
  type AnomalySeverity,
  type LearnedVerdict,
} from "@soc/shared";
import type { Verdict } from "./rules/rule.ts";

/** One step more severe, capped at high; a critical finding stays critical. */
export function raisedOneStep(severity: AnomalySeverity): AnomalySeverity {
  if (rank(severity) >= rank("high")) return severity;
  return ANOMALY_SEVERITIES[rank(severity) + 1] as AnomalySeverity;
}

/** True when a suppression at `suppressedAt` covers a finding of `severity`. */
export const suppresses = (suppressedAt: AnomalySeverity, severity: AnomalySeverity): boolean =>
  rank(severity) <= rank(suppressedAt);

export function applyTriage(verdict: Verdict, learned: LearnedVerdict | undefined): Verdict {
  if (learned === undefined || !verdict.is_anomaly || verdict.severity === null) return verdict;
  if (verdict.rule === null || !TEMPLATE_RULES.has(verdict.rule)) return verdict;
  if (learned.verdict === "raise") return { ...verdict, severity: raisedOneStep(verdict.severity) };
  return suppresses(learned.severity, verdict.severity) ? { ...verdict, severity: "info", alert: null } : verdict;
}
