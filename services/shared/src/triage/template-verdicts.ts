/**
 * What analysts' triage teaches the workers about a log template of one source: a false positive
 * suppresses its alerts up to the dismissed alert's severity; a resolved true positive raises its
 * later alerts one step. Verdicts travel on the compacted `config-updates` topic beside the
 * whitelist, keyed per source and template, so compaction keeps the latest verdict on each and a
 * replica started later rebuilds the same state. Pure state, no I/O.
 */
import { createHash } from "node:crypto";
import { z } from "zod";
import { ANOMALY_SEVERITIES, epochSeconds, type AnomalySeverity, type DetectionRule } from "../messages.ts";
import { MAX_TEMPLATE_CHARS } from "../store/pattern-catalogue.ts";

export const TEMPLATE_VERDICT_KIND = "template_verdict";

/**
 * The rules analysts' verdicts teach: those that judge a template's text. Brute force and traffic
 * spikes judge an address's behaviour, and every attacker's failed logins share one template, so
 * one dismissed alert of theirs would silence them all.
 */
export const TEMPLATE_RULES: ReadonlySet<DetectionRule> = new Set<DetectionRule>([
  "keyword",
  "pattern_rate",
  "new_pattern",
]);

/** Keys of template verdicts on `config-updates`; whitelist keys are addresses, which never start so. */
const KEY_PREFIX = "template/";

const subject = {
  kind: z.literal(TEMPLATE_VERDICT_KIND),
  /** The log source the template was mined from (`-` for logs that named none). */
  source: z.string().min(1).max(128),
  pattern_id: z.string().min(1).max(128),
  /** The API key name of the analyst. */
  by: z.string().min(1).max(128),
  /** Epoch seconds. */
  at: epochSeconds,
};

const learned = {
  ...subject,
  template: z.string().max(MAX_TEMPLATE_CHARS),
  /** The triaged alert's severity. */
  severity: z.enum(ANOMALY_SEVERITIES),
  /** The alert whose triage taught this. */
  alert_id: z.string().min(1).max(256),
};

/**
 * `suppress`: alerts of the template at or below `severity` are informational and notify nobody;
 * `raise`: its alerts are one step more severe, up to high; `clear`: neither any more.
 */
export const templateVerdictSchema = z.discriminatedUnion("verdict", [
  z.object({ verdict: z.literal("suppress"), ...learned }),
  z.object({ verdict: z.literal("raise"), ...learned }),
  z.object({ verdict: z.literal("clear"), ...subject }),
]);
export type TemplateVerdict = z.infer<typeof templateVerdictSchema>;
export type LearnedVerdict = Extract<TemplateVerdict, { verdict: "suppress" | "raise" }>;

/** The compaction key: one per source and template, unambiguous whatever the names hold. */
export const templateVerdictKey = (source: string, patternId: string): string =>
  `${KEY_PREFIX}${encodeURIComponent(source)}/${encodeURIComponent(patternId)}`;

/** True for a `config-updates` key that carries a template verdict rather than a whitelist change. */
export const isTemplateVerdictKey = (key: string | null): boolean => key?.startsWith(KEY_PREFIX) === true;

export function templateVerdictMessage(verdict: TemplateVerdict): { key: string; value: string } {
  return { key: templateVerdictKey(verdict.source, verdict.pattern_id), value: JSON.stringify(verdict) };
}

/** A stable, URL-safe id for the suppression of one source's template. */
export const suppressionIdOf = (source: string, patternId: string): string =>
  createHash("sha256").update(templateVerdictKey(source, patternId)).digest("hex").slice(0, 16);

/** A suppression as the API lists it. */
export interface Suppression {
  id: string;
  source: string;
  pattern_id: string;
  template: string;
  /** Alerts of the template at or below this severity are suppressed. */
  severity: AnomalySeverity;
  created_by: string;
  created_at: number;
  alert_id: string;
}

const suppressionOf = (verdict: Extract<TemplateVerdict, { verdict: "suppress" }>): Suppression => ({
  id: suppressionIdOf(verdict.source, verdict.pattern_id),
  source: verdict.source,
  pattern_id: verdict.pattern_id,
  template: verdict.template,
  severity: verdict.severity,
  created_by: verdict.by,
  created_at: verdict.at,
  alert_id: verdict.alert_id,
});

/** The latest verdict per source and template, as every replica builds it from `config-updates`. */
export class TemplateVerdicts {
  readonly #latest = new Map<string, LearnedVerdict>();

  apply(verdict: TemplateVerdict): void {
    const key = templateVerdictKey(verdict.source, verdict.pattern_id);
    if (verdict.verdict === "clear") this.#latest.delete(key);
    else this.#latest.set(key, verdict);
  }

  /** The verdict on a source's template, if analysts gave one. */
  of(source: string, patternId: string): LearnedVerdict | undefined {
    return this.#latest.get(templateVerdictKey(source, patternId));
  }

  /** Every suppression, oldest first. */
  suppressions(): Suppression[] {
    return [...this.#latest.values()]
      .flatMap((verdict) => (verdict.verdict === "suppress" ? [suppressionOf(verdict)] : []))
      .sort((a, b) => a.created_at - b.created_at || a.id.localeCompare(b.id));
  }

  suppression(id: string): Suppression | undefined {
    return this.suppressions().find((suppression) => suppression.id === id);
  }
}
