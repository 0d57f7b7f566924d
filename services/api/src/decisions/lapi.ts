/**
 * Bans in the shapes of CrowdSec's Local API (its swagger, `Decision` and `DecisionsStreamResponse`),
 * and the filters bouncers send, so existing bouncers (firewall, nginx, custom) apply them as they are.
 */
import { z } from "zod";
import { banMatches, goDuration, type Ban } from "./ban.ts";
import { parseTarget, type Target } from "./target.ts";

export const lapiDecisionSchema = z
  .object({
    id: z.number().int(),
    origin: z.string().describe("`rule:<detection rule>` or `analyst:<key name>`."),
    type: z.literal("ban"),
    scope: z.enum(["Ip", "Range"]),
    value: z.string().describe("The address or CIDR block."),
    duration: z.string().describe("Time left, as Go prints durations (`3h59m50s`); negative once ended."),
    until: z.string().describe("When the ban ends, RFC 3339."),
    scenario: z.string().describe("Why: the alert's summary or the analyst's reason."),
  })
  .meta({ id: "LapiDecision" });
export type LapiDecision = z.infer<typeof lapiDecisionSchema>;

export const lapiStreamSchema = z
  .object({ new: z.array(lapiDecisionSchema), deleted: z.array(lapiDecisionSchema) })
  .meta({ id: "LapiDecisionsStream" });

export function toLapiDecision(ban: Ban, nowSeconds: number): LapiDecision {
  return {
    id: ban.id,
    origin: ban.origin,
    type: "ban",
    scope: ban.scope,
    value: ban.ip,
    duration: goDuration(ban.expires_at - nowSeconds),
    until: new Date(ban.expires_at * 1000).toISOString(),
    scenario: ban.reason,
  };
}

const words = z
  .string()
  .max(1024)
  .transform((text) =>
    text
      .split(",")
      .map((word) => word.trim())
      .filter((word) => word !== ""),
  );

/** Filters both endpoints take: which origins and scenarios the bouncer wants. */
const selectionShape = {
  origins: words.optional().describe("Comma-separated origins; only decisions from these."),
  scenarios_containing: words.optional().describe("Comma-separated words; only decisions whose scenario contains one."),
  scenarios_not_containing: words
    .optional()
    .describe("Comma-separated words; no decision whose scenario contains one."),
};

const flag = z.enum(["true", "false"]).transform((text) => text === "true");

export const streamQuerySchema = z.object({
  startup: flag.optional().describe("true when the bouncer starts: every decision in force is sent as new."),
  scopes: words.optional().describe("Comma-separated scopes (default `ip,range`)."),
  ...selectionShape,
});
export type StreamQuery = z.output<typeof streamQuerySchema>;

const target = (kind: string) =>
  z
    .string()
    .max(64)
    .transform((text, ctx) => {
      const parsed = parseTarget(text);
      if (parsed === null) {
        ctx.addIssue({ code: "custom", message: `not an ${kind}` });
        return z.NEVER;
      }
      return parsed;
    });

export const decisionsQuerySchema = z.object({
  ip: target("IPv4/IPv6 address")
    .optional()
    .describe("Decisions covering this address (shorthand for scope=ip&value=)."),
  range: target("CIDR block").optional().describe("Decisions covering this block (shorthand for scope=range&value=)."),
  scope: z.string().max(32).optional(),
  value: target("address or CIDR block").optional(),
  type: z.string().max(32).optional(),
  contains: flag.default(true).describe("true: decisions that contain the value; false: decisions contained in it."),
  ...selectionShape,
});
export type DecisionsQuery = z.output<typeof decisionsQuerySchema>;

interface Selection {
  origins?: string[] | undefined;
  scenarios_containing?: string[] | undefined;
  scenarios_not_containing?: string[] | undefined;
}

function selected(ban: Ban, selection: Selection): boolean {
  const scenario = ban.reason.toLowerCase();
  const mentions = (words: string[]): boolean => words.some((word) => scenario.includes(word.toLowerCase()));
  if (selection.origins !== undefined && selection.origins.length > 0 && !selection.origins.includes(ban.origin))
    return false;
  if (
    selection.scenarios_containing !== undefined &&
    selection.scenarios_containing.length > 0 &&
    !mentions(selection.scenarios_containing)
  )
    return false;
  return !(selection.scenarios_not_containing !== undefined && mentions(selection.scenarios_not_containing));
}

/** The bans a stream pull is about. */
export function streamSelection(bans: readonly Ban[], query: StreamQuery): Ban[] {
  const scopes = (query.scopes ?? ["ip", "range"]).map((scope) => scope.toLowerCase());
  return bans.filter((ban) => scopes.includes(ban.scope.toLowerCase()) && selected(ban, query));
}

/** GET /v1/decisions: the bans matching the query, all of them without ip, range or value. */
export function decisionsSelection(bans: readonly Ban[], query: DecisionsQuery): Ban[] {
  const wanted: Target | undefined = query.ip ?? query.range ?? query.value;
  return bans.filter(
    (ban) =>
      (query.type === undefined || query.type.toLowerCase() === "ban") &&
      (query.scope === undefined || query.scope.toLowerCase() === ban.scope.toLowerCase()) &&
      (wanted === undefined || banMatches(ban, wanted, query.contains)) &&
      selected(ban, query),
  );
}
