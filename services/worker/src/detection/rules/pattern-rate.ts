import { crossesThreshold, describeBaseline } from "../baseline.ts";
import { patternSettingsOf } from "../config.ts";
import { describeTemplate } from "./new-pattern.ts";
import type { Rule } from "./rule.ts";

/**
 * A burst of one known template: its lines this minute against its own moving baseline, the test
 * of the traffic-spike rule. A rare line (a daily job's, a failover's) that suddenly repeats is
 * caught though no rule names it. Quiet while its source warms up, when every baseline is empty.
 */
export const patternRateRule: Rule = {
  name: "pattern_rate",
  evaluate: ({ observations: { pattern, patternRate }, config }) => {
    if (pattern === undefined || patternRate === undefined || !pattern.warmedUp) return null;
    if (
      !crossesThreshold(patternRate, {
        minPerMinute: patternSettingsOf(config).rateMinPerMinute,
        sigma: config.spike.sigma,
      })
    )
      return null;
    return {
      is_anomaly: true,
      reason: `Burst of a log pattern${describeTemplate(pattern)}: ${patternRate.count} lines this minute (${describeBaseline(patternRate)}).`,
      severity: "medium",
      rule: "pattern_rate",
      alert: null,
    };
  },
};
