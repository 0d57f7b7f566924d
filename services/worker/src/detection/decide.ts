/** Second phase of the detection core: whitelist, brute force, traffic spike, keyword; the first verdict decides (docs/contract.md). */
import { bruteForceRule } from "./rules/brute-force.ts";
import { keywordRule } from "./rules/keyword.ts";
import type { Rule, RuleInput, Verdict } from "./rules/rule.ts";
import { trafficSpikeRule } from "./rules/traffic-spike.ts";
import { whitelistRule } from "./rules/whitelist.ts";

export const RULES: readonly Rule[] = [whitelistRule, bruteForceRule, trafficSpikeRule, keywordRule];

const NORMAL: Verdict = { is_anomaly: false, reason: null, rule: null, alert: null };

export function decide(input: RuleInput): Verdict {
  for (const rule of RULES) {
    const verdict = rule.evaluate(input);
    if (verdict !== null) return verdict;
  }
  return NORMAL;
}
