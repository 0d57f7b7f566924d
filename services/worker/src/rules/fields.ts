/**
 * The fields a data rule reads, from what the detection core already parsed: the ECS fields of the
 * processed document (client, user, event, host, process), plus
 * - `client.address`: the source the built-in per-source counters key on (a placed or inferred
 *   address, else the host name the line gives), as ECS's "address, however written";
 * - `event.action`: the failed-login pattern the line matched (detection/failed-login.ts), set only
 *   on the failures the brute-force rule counts, as fail2ban counts them;
 * - `log.source`: the log source's name.
 */
import type { LogMessage } from "@soc/shared";
import { ecsFieldsOf } from "../ecs/ecs-fields.ts";
import { sourceKey, type LogFeatures } from "../detection/features.ts";
import type { Condition, Match, RuleField } from "./schema.ts";

export type RuleFields = Partial<Record<RuleField, string>>;

export function ruleFieldsOf(log: LogMessage, features: LogFeatures): RuleFields {
  const ecs = ecsFieldsOf(log, features);
  const values: Record<RuleField, string | null | undefined> = {
    "client.address": sourceKey(features),
    "client.ip": ecs.client?.ip,
    "client.domain": ecs.client?.domain,
    "user.name": ecs.user?.name,
    "event.outcome": ecs.event?.outcome,
    "event.action": features.failedLogin,
    "process.name": ecs.process?.name,
    "host.name": ecs.host?.name,
    "log.source": log.source,
  };
  const fields: RuleFields = {};
  for (const [field, value] of Object.entries(values) as [RuleField, string | null | undefined][]) {
    if (value !== null && value !== undefined) fields[field] = value;
  }
  return fields;
}

function satisfies(value: string | undefined, condition: Condition): boolean {
  if (typeof condition === "string") return value === condition;
  if ("in" in condition) return value !== undefined && condition.in.includes(value);
  return (value !== undefined) === condition.exists;
}

export const matches = (fields: RuleFields, match: Match): boolean =>
  (Object.entries(match) as [RuleField, Condition][]).every(([field, condition]) =>
    satisfies(fields[field], condition),
  );
