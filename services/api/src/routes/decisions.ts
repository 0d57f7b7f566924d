/**
 * Bans (docs/response.md): analysts list, make and lift them under /bans; enforcers pull them
 * through CrowdSec's bouncer API (/v1/decisions, /v1/decisions/stream) with a bouncer key.
 */
import { z } from "zod";
import { AppError } from "@soc/shared";
import type { Caller } from "../auth.ts";
import { banDuration, banSchema, banTargetOf, enforceable, scopeOf, whitelistConflict } from "../decisions/ban.ts";
import {
  decisionsQuerySchema,
  decisionsSelection,
  lapiDecisionSchema,
  lapiStreamSchema,
  streamQuerySchema,
  streamSelection,
  toLapiDecision,
} from "../decisions/lapi.ts";
import { streamDiff } from "../decisions/stream.ts";
import { formatTarget } from "../decisions/target.ts";
import { defineRoute, type RouteEnv } from "./route.ts";

export const banCreateSchema = z
  .object({
    ip: z.string().max(64).describe("IPv4/IPv6 address or CIDR block, at most /16 (IPv4) or /48 (IPv6) wide."),
    duration: banDuration
      .default(4 * 3600)
      .describe("Seconds, or a duration such as 4h, 30m, 1h30m, 2d; 1 minute to 30 days. Default 4h."),
    reason: z.string().trim().min(1).max(500).describe("Why; enforcers see it as the decision's scenario."),
    alert_id: z.string().min(1).max(256).optional().describe("The alert the ban answers."),
  })
  .meta({ id: "BanCreate" });

const nowSeconds = ({ deps }: RouteEnv): number => Math.floor((deps.now ?? Date.now)() / 1000);
export const callerName = (state: Caller): string => state.keyName ?? "unknown";

/** The bans the enforcers apply now: in force and clear of the whitelist. */
async function enforced(env: RouteEnv, now: number) {
  return enforceable(await env.decisions.active(now), env.deps.whitelist.entries(), now);
}

export const decisionRoutes = [
  defineRoute({
    method: "get",
    path: "/bans",
    operationId: "listBans",
    tag: "bans",
    summary: "The bans the enforcers apply: in force and clear of the whitelist, oldest first.",
    access: "read",
    response: { description: "Bans", schema: z.array(banSchema) },
    handle: (_request, _ctx, env) => enforced(env, nowSeconds(env)),
  }),
  defineRoute({
    method: "post",
    path: "/bans",
    operationId: "createBan",
    tag: "bans",
    summary: "Ban an address or block. A ban already in force on it that lasts longer stands (answered 200).",
    access: "admin",
    body: { schema: banCreateSchema },
    response: { status: 201, description: "Banned", schema: banSchema },
    alternative: { status: 200, description: "A ban in force on the same target lasts longer; it stands" },
    errors: [409],
    async handle({ body }, ctx, env) {
      const checked = banTargetOf(body.ip);
      if ("problem" in checked) throw new AppError("bad_request", `ip: ${checked.problem}`);
      const ip = formatTarget(checked.target);
      const whitelisted = whitelistConflict(checked.target, env.deps.whitelist.entries());
      if (whitelisted !== null)
        throw new AppError(
          "conflict",
          `${ip} is not banned: it ${ip === whitelisted ? "is" : "overlaps"} whitelist entry ${whitelisted}, and whitelisted addresses are never banned`,
        );
      const now = nowSeconds(env);
      const { ban, created } = await env.decisions.ban(
        {
          ip,
          scope: scopeOf(checked.target),
          reason: body.reason,
          origin: `analyst:${callerName(ctx.state as Caller)}`,
          alert_id: body.alert_id ?? null,
          created_at: now,
          expires_at: now + body.duration,
        },
        now,
      );
      if (!created) ctx.status = 200;
      env.deps.logger.info({ ban, created }, created ? "ban made" : "ban requested; a longer one stands");
      return ban;
    },
  }),
  defineRoute({
    method: "delete",
    path: "/bans/{ip}",
    operationId: "liftBan",
    tag: "bans",
    summary: "Lift the ban on an address or block (URL-encoded); bouncers drop it at their next pull.",
    access: "admin",
    params: z.object({ ip: z.string().max(64).describe("The banned address or CIDR block.") }),
    response: { description: "Lifted", schema: banSchema },
    errors: [404],
    async handle({ params }, ctx, env) {
      const checked = banTargetOf(params.ip);
      if ("problem" in checked) throw new AppError("not_found", `No ban on ${params.ip}`);
      const lifted = await env.decisions.lift(formatTarget(checked.target), nowSeconds(env));
      if (lifted === null) throw new AppError("not_found", `No ban in force on ${formatTarget(checked.target)}`);
      env.deps.logger.info({ ban: lifted, by: callerName(ctx.state as Caller) }, "ban lifted");
      return lifted;
    },
  }),
  defineRoute({
    method: "get",
    path: "/v1/decisions/stream",
    operationId: "getDecisionsStream",
    tag: "bouncers",
    summary:
      "CrowdSec's bouncer stream: the decisions new and deleted since this bouncer's last pull (all of them with startup=true).",
    access: "bouncer",
    query: streamQuerySchema,
    response: { description: "New and deleted decisions", schema: lapiStreamSchema },
    async handle({ query }, ctx, env) {
      const now = nowSeconds(env);
      const bouncer = callerName(ctx.state as Caller);
      const current = streamSelection(await enforced(env, now), query);
      const answer = streamDiff(await env.decisions.bouncerView(bouncer), current, query.startup === true);
      if (answer.changed) await env.decisions.saveBouncerView(bouncer, answer.view);
      return {
        new: answer.new.map((ban) => toLapiDecision(ban, now)),
        deleted: answer.deleted.map((ban) => toLapiDecision(ban, now)),
      };
    },
  }),
  defineRoute({
    method: "get",
    path: "/v1/decisions",
    operationId: "getDecisions",
    tag: "bouncers",
    summary:
      "CrowdSec's decision query: the decisions covering ?ip= (or range, scope and value), all of them without one.",
    access: "bouncer",
    query: decisionsQuerySchema,
    response: { description: "Decisions", schema: z.array(lapiDecisionSchema) },
    async handle({ query }, _ctx, env) {
      const now = nowSeconds(env);
      return decisionsSelection(await enforced(env, now), query).map((ban) => toLapiDecision(ban, now));
    },
  }),
];
