/**
 * Keyword rules: where a keyword counts and how much a hit weighs (KEYWORD_RULES). Pure.
 * `failed@sshd|su:high` counts `failed` only in lines of the sshd or su programs (or log sources of
 * those names), as high; `exception@!kernel` counts `exception` anywhere but the kernel's lines;
 * `error:low` everywhere, as low. A keyword's rules are tried in order and the first whose scope
 * takes the line decides; none does, the keyword is not counted there. A keyword of
 * ANOMALY_KEYWORDS with no rule counts everywhere as medium, as it always did.
 */
import { z } from "zod";
import { ANOMALY_SEVERITIES, DETECTION_DEFAULTS, type AnomalySeverity } from "@soc/shared";

export interface KeywordRule {
  keyword: string;
  /** Programs or log sources it counts in; empty: all. */
  only: string[];
  /** Programs or log sources it never counts in. */
  except: string[];
  severity: AnomalySeverity;
}

/** Where a line comes from: its program (syslog tag, ECS process.name) and the log source it was sent as. */
export interface LineOrigin {
  program?: string | null;
  source?: string | null;
}

export const DEFAULT_KEYWORD_SEVERITY: AnomalySeverity = "medium";

const NAME = /^[\w.()/ *-]{1,64}$/;

/** One `keyword[@scope][:severity]` entry; throws a message naming what is wrong. */
export function parseKeywordRule(text: string): KeywordRule {
  const match = /^([^@:]+?)(?:@([^:]+))?(?::([a-z]+))?$/.exec(text.trim());
  if (match === null) throw new Error(`"${text}": expected keyword[@program|program][:severity]`);
  const [, keyword = "", scope, severity = DEFAULT_KEYWORD_SEVERITY] = match;
  if (!(ANOMALY_SEVERITIES as readonly string[]).includes(severity))
    throw new Error(`"${text}": severity must be one of ${ANOMALY_SEVERITIES.join(", ")}`);
  const names = scope === undefined ? [] : scope.split("|").map((name) => name.trim());
  const bad = names.find((name) => !NAME.test(name.replace(/^!/, "")));
  if (bad !== undefined) throw new Error(`"${text}": "${bad}" is not a program or source name`);
  return {
    keyword: keyword.trim().toLowerCase(),
    only: names.filter((name) => !name.startsWith("!")).map((name) => name.toLowerCase()),
    except: names.filter((name) => name.startsWith("!")).map((name) => name.slice(1).toLowerCase()),
    severity: severity as AnomalySeverity,
  };
}

function inScope(rule: KeywordRule, origin: LineOrigin): boolean {
  const names = [origin.program, origin.source].flatMap((name) => (name == null ? [] : [name.toLowerCase()]));
  if (names.some((name) => rule.except.includes(name))) return false;
  return rule.only.length === 0 || names.some((name) => rule.only.includes(name));
}

/** KEYWORD_RULES: comma-separated rules, each refused with its reason. */
export const keywordRulesSetting = z
  .string()
  .default(DETECTION_DEFAULTS.keywordRules.join(","))
  .transform((text, ctx) =>
    text
      .split(",")
      .filter((entry) => entry.trim() !== "")
      .flatMap((entry) => {
        try {
          return [parseKeywordRule(entry)];
        } catch (error) {
          ctx.addIssue({ code: "custom", message: (error as Error).message });
          return [];
        }
      }),
  );

/**
 * The severity of a hit on `keyword` in a line, or null when the keyword does not count there.
 * `originOf` is asked only for a scoped keyword: reading a line's program costs a regular expression.
 */
export function keywordSeverity(
  keyword: string,
  rules: readonly KeywordRule[],
  originOf: () => LineOrigin,
): AnomalySeverity | null {
  const own = rules.filter((rule) => rule.keyword === keyword);
  if (own.length === 0) return DEFAULT_KEYWORD_SEVERITY;
  const origin = originOf();
  return own.find((rule) => inScope(rule, origin))?.severity ?? null;
}
