/**
 * Learning from triage: an alert marked `false_positive` suppresses its template from its source
 * (GET /suppressions lists them, DELETE /suppressions/{id} undoes one); one `resolved` raises the
 * severity of the template's later alerts. Verdicts are published to `config-updates`, which
 * every worker and API replica follows (@soc/shared triage/template-verdicts.ts).
 */
import { z } from "zod";
import {
  ANOMALY_SEVERITIES,
  AppError,
  BusUnavailableError,
  severityRank,
  TEMPLATE_RULES,
  TEMPLATE_VERDICT_KIND,
  templateVerdictKey,
  templateVerdictMessage,
  TOPICS,
  UNNAMED_SOURCE,
  type AlertStatus,
  type ProcessedLog,
  type TemplateVerdict,
  type TemplateVerdicts,
} from "@soc/shared";
import type { Caller } from "../auth.ts";
import type { ApiDeps } from "../deps.ts";
import { callerName } from "./decisions.ts";
import { defineRoute } from "./route.ts";

const tag = "suppressions";

export const suppressionSchema = z
  .object({
    id: z.string(),
    source: z.string().describe("The log source the template was mined from; `-` for logs that named none."),
    pattern_id: z.string(),
    template: z.string(),
    severity: z
      .enum(ANOMALY_SEVERITIES)
      .describe("Alerts of the template at or below this severity are stored as `info` and notify nobody."),
    created_by: z.string().describe("The API key name of the analyst who marked the alert a false positive."),
    created_at: z.number().describe("Epoch seconds."),
    alert_id: z.string().describe("The alert marked a false positive."),
  })
  .meta({ id: "Suppression" });

/** What an analyst's status teaches about the alert's template. */
const LEARNED_FROM: Partial<Record<AlertStatus, "suppress" | "raise">> = {
  false_positive: "suppress",
  resolved: "raise",
};

/** Severity of a document written before severities existed, as the incident core reads it. */
const DEFAULT_SEVERITY = "medium";

/** One verdict per source and template: of several triaged alerts of one, the most severe is the one recorded. */
export function verdictsOf(
  docs: readonly (ProcessedLog | null)[],
  verdict: "suppress" | "raise",
  by: string,
  at: number,
): TemplateVerdict[] {
  const byKey = new Map<string, TemplateVerdict & { verdict: "suppress" | "raise" }>();
  for (const doc of docs) {
    // Only template rules learn (TEMPLATE_RULES): a dismissed brute force must not silence its template's other findings.
    if (doc?.is_anomaly !== true || doc.pattern === undefined || doc.rule == null || !TEMPLATE_RULES.has(doc.rule))
      continue;
    const source = doc.source ?? UNNAMED_SOURCE;
    const severity = doc.severity ?? DEFAULT_SEVERITY;
    const key = templateVerdictKey(source, doc.pattern.id);
    const earlier = byKey.get(key);
    if (earlier !== undefined && severityRank(earlier.severity) >= severityRank(severity)) continue;
    byKey.set(key, {
      kind: TEMPLATE_VERDICT_KIND,
      verdict,
      source,
      pattern_id: doc.pattern.id,
      template: doc.pattern.template,
      severity,
      by,
      at,
      alert_id: doc.id,
    });
  }
  return [...byKey.values()];
}

async function publishVerdicts(deps: ApiDeps, verdicts: TemplateVerdict[]): Promise<void> {
  await deps.bus.publish((deps.topics ?? TOPICS).configUpdates, verdicts.map(templateVerdictMessage));
  // Applied here too so this replica answers consistently at once; the topic brings them to the others.
  for (const verdict of verdicts) deps.templates?.apply(verdict);
}

/**
 * Publishes what the new status of these (updated) alerts teaches. The status change stands either
 * way; when the bus is down the caller hears so, and the same change can simply be sent again.
 */
export async function learnFromTriage(deps: ApiDeps, ids: string[], status: AlertStatus, by: string): Promise<void> {
  const verdict = LEARNED_FROM[status];
  if (verdict === undefined || ids.length === 0) return;
  const docs = await Promise.all(ids.map((id) => deps.store.get(id)));
  const verdicts = verdictsOf(docs, verdict, by, (deps.now ?? Date.now)() / 1000);
  if (verdicts.length === 0) return;
  try {
    await publishVerdicts(deps, verdicts);
  } catch (error) {
    if (!(error instanceof BusUnavailableError)) throw error;
    throw new AppError(
      "unavailable",
      `The status was updated, but the bus is unavailable, so the ${verdict === "suppress" ? "suppression" : "severity raise"} it implies was not published. Send the same change again later.`,
      { retryAfterSeconds: 5, cause: error },
    );
  }
}

function templatesOf(deps: ApiDeps): TemplateVerdicts {
  if (deps.templates === undefined)
    throw new AppError("unavailable", "This API does not follow config-updates for template verdicts");
  return deps.templates;
}

export const suppressionRoutes = [
  defineRoute({
    method: "get",
    path: "/suppressions",
    operationId: "listSuppressions",
    tag,
    summary: "Templates whose alerts are suppressed because an analyst marked one a false positive, oldest first.",
    access: "read",
    response: { description: "Suppressions", schema: z.array(suppressionSchema) },
    errors: [503],
    handle: (_request, _ctx, { deps }) => templatesOf(deps).suppressions(),
  }),
  defineRoute({
    method: "delete",
    path: "/suppressions/{suppression_id}",
    operationId: "removeSuppression",
    tag,
    summary: "Undo a suppression: the template's alerts are raised and notified again.",
    access: "admin",
    params: z.object({ suppression_id: z.string().max(64).describe("The suppression's id.") }),
    response: { description: "Removed; the suppression as it was", schema: suppressionSchema },
    errors: [404, 503],
    async handle({ params }, ctx, { deps }) {
      const suppression = templatesOf(deps).suppression(params.suppression_id);
      if (suppression === undefined) throw new AppError("not_found", "Suppression not found");
      const by = callerName(ctx.state as Caller);
      await publishVerdicts(deps, [
        {
          kind: TEMPLATE_VERDICT_KIND,
          verdict: "clear",
          source: suppression.source,
          pattern_id: suppression.pattern_id,
          by,
          at: (deps.now ?? Date.now)() / 1000,
        },
      ]);
      deps.logger.info({ suppression, by }, "suppression removed");
      return suppression;
    },
  }),
];
