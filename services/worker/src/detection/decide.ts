/**
 * Second phase of the detection core: whitelist, brute force, traffic spike, keyword; the first
 * verdict decides (docs/contract.md). The learned rules stand beside them: a burst of one log
 * template before the keyword rule (it says more about the same line), a new template last (the
 * least an analyst must see).
 */
import { bruteForceRule } from "./rules/brute-force.ts";
import { keywordRule } from "./rules/keyword.ts";
import { newPatternRule } from "./rules/new-pattern.ts";
import { patternRateRule } from "./rules/pattern-rate.ts";
import type { Rule, RuleInput, Verdict } from "./rules/rule.ts";
import { trafficSpikeRule } from "./rules/traffic-spike.ts";
import { whitelistRule } from "./rules/whitelist.ts";

export const RULES: readonly Rule[] = [
  whitelistRule,
  bruteForceRule,
  trafficSpikeRule,
  patternRateRule,
  keywordRule,
  newPatternRule,
];

const NORMAL: Verdict = { is_anomaly: false, reason: null, severity: null, rule: null, alert: null };

export function decide(input: RuleInput): Verdict {
  for (const rule of RULES) {
    const verdict = rule.evaluate(input);
    if (verdict !== null) return verdict;
  }
  return NORMAL;
}
