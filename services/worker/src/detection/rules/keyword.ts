import { patternSettingsOf } from "../config.ts";
import { DEFAULT_KEYWORD_SEVERITY } from "../keyword-rules.ts";
import type { Rule } from "./rule.ts";

/**
 * A suspicious keyword anywhere in the line (the contract's step 4). On a template the pipeline has
 * seen often and no analyst ever escalated, the hit is still an anomaly, but informational: the
 * line is business as usual for this source (`error` in a routine retry message).
 */
export const keywordRule: Rule = {
  name: "keyword",
  evaluate: ({ features, observations: { pattern }, config }) => {
    if (features.keyword === null) return null;
    const familiar =
      pattern !== undefined && !pattern.escalated && pattern.seenBefore >= patternSettingsOf(config).familiarAfterLines;
    return {
      is_anomaly: true,
      reason: "Log contains anomalous keyword.",
      severity: familiar ? "info" : (features.keywordSeverity ?? DEFAULT_KEYWORD_SEVERITY),
      rule: "keyword",
      alert: null,
    };
  },
};
