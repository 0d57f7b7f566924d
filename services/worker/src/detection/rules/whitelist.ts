import { isWhitelisted } from "../features.ts";
import type { Rule } from "./rule.ts";

/** A whitelisted address is never an anomaly, whatever the line says (the contract's step 2); an inferred one is not whitelisted. */
export const whitelistRule: Rule = {
  name: "whitelist",
  evaluate: ({ features, whitelist }) =>
    isWhitelisted(features, whitelist)
      ? { is_anomaly: false, reason: null, severity: null, rule: "whitelist", alert: null }
      : null,
};
