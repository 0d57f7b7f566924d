import type { Rule } from "./rule.ts";

/** A whitelisted address is never an anomaly, whatever the line says (seed step 2). */
export const whitelistRule: Rule = {
  name: "whitelist",
  evaluate: ({ features, whitelist }) =>
    features.ip !== null && whitelist.covers(features.ip) ? { is_anomaly: false, reason: null, rule: "whitelist", alert: null } : null,
};
