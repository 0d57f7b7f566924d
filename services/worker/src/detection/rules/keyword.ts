import type { Rule } from "./rule.ts";

/** A suspicious keyword anywhere in the line (the contract's step 4). */
export const keywordRule: Rule = {
  name: "keyword",
  evaluate: ({ features }) => (features.keyword === null ? null : { is_anomaly: true, reason: "Log contains anomalous keyword.", rule: "keyword", alert: null }),
};
