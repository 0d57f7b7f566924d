import { sourceKey } from "../features.ts";
import type { Rule } from "./rule.ts";

/** Enough failed logins from one IP inside the window (the contract's step 3; the counters keep the window). */
export const bruteForceRule: Rule = {
  name: "brute_force",
  evaluate: ({ features, observations, config }) => {
    const failure = observations.failure;
    const source = sourceKey(features);
    if (source === null || failure?.triggered !== true) return null;
    return {
      is_anomaly: true,
      reason: `Brute-force attempt detected from ${source} (${failure.count} attempts).`,
      severity: "high",
      rule: "brute_force",
      alert: {
        type: "brute_force",
        count: failure.count,
        windowSeconds: config.bruteForce.windowSeconds,
        firstSeen: failure.firstSeen,
        lastSeen: failure.lastSeen,
        details: { pattern: features.failedLogin ?? "unknown" },
      },
    };
  },
};
