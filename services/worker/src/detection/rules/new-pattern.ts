import { UNNAMED_SOURCE } from "../../patterns/assigner.ts";
import type { PatternObservation } from "../../patterns/novelty.ts";
import type { Rule } from "./rule.ts";

/** Longest template quoted in a reason: enough to recognise it; the document keeps the whole. */
const MAX_QUOTED_CHARS = 200;

/** ` from sshd: "Failed password for <*> from <IP> port <NUM> ssh2"`, for reasons. */
export function describeTemplate(pattern: PatternObservation): string {
  const quoted =
    pattern.template.length <= MAX_QUOTED_CHARS
      ? pattern.template
      : `${pattern.template.slice(0, MAX_QUOTED_CHARS - 1)}…`;
  return `${pattern.source === UNNAMED_SOURCE ? "" : ` from ${pattern.source}`}: "${quoted}"`;
}

/** The first line of a template its source never showed, after the source's warm-up: worth a look, no more. */
export const newPatternRule: Rule = {
  name: "new_pattern",
  evaluate: ({ observations: { pattern } }) =>
    pattern?.novel === true
      ? {
          is_anomaly: true,
          reason: `New log pattern${describeTemplate(pattern)}.`,
          severity: "low",
          rule: "new_pattern",
          alert: null,
        }
      : null,
};
