/** One detection rule: a named pure check over a log's features and the counters' answers. */
import type { AnomalySeverity, DetectionRule, FailureResult, RateResult, Whitelist } from "@soc/shared";
import type { PatternObservation } from "../../patterns/novelty.ts";
import type { DetectionConfig } from "../config.ts";
import type { LogFeatures } from "../features.ts";

/** What the shared counters said about this log (absent when the log was not counted). */
export interface Observations {
  failure?: FailureResult;
  ipRate?: RateResult;
  endpointRate?: RateResult;
  /** The line's template and what the catalogue knew of it (absent when mining is off). */
  pattern?: PatternObservation;
  /** Lines of that template, per minute, against their baseline. */
  patternRate?: RateResult;
}

export interface RuleInput {
  features: LogFeatures;
  observations: Observations;
  whitelist: Whitelist;
  config: DetectionConfig;
}

/** Facts for a high-priority alert, when the finding is one a responder must hear about at once. */
export interface AlertFacts {
  type: "brute_force" | "traffic_spike";
  count: number;
  windowSeconds: number;
  firstSeen: number;
  lastSeen: number;
  details: Record<string, string | number>;
}

export interface Verdict {
  is_anomaly: boolean;
  reason: string | null;
  /** Set on anomalies; null on normal logs. */
  severity: AnomalySeverity | null;
  rule: DetectionRule | null;
  alert: AlertFacts | null;
}

export interface Rule {
  name: DetectionRule;
  /** A verdict ends the evaluation (the first rule to match decides); null passes on. */
  evaluate(input: RuleInput): Verdict | null;
}
