/**
 * Automatic bans: the API reads `high-priority-alerts` in its own consumer group and bans what
 * AUTO_BAN_RULES asks for (auto-ban.ts), under the same rules as an analyst's ban (ban.ts). The
 * worker and the alerter know nothing of it. Replicas split the partitions; a redelivered alert
 * makes no second ban (the store keeps the longer of two bans on one target).
 */
import {
  decodeMessage,
  DEFAULT_PIPELINE_GROUPS,
  highPriorityAlertSchema,
  TOPICS,
  type Bus,
  type Logger,
  type Subscription,
  type Whitelist,
} from "@soc/shared";
import { Counter, type Registry } from "@soc/shared/telemetry";
import { autoBanOf, type AutoBanRules } from "./auto-ban.ts";
import { banTargetOf, whitelistConflict } from "./ban.ts";
import type { DecisionStore } from "./store.ts";

/** Within the API's group prefix, which its Kafka ACLs grant. */
export const AUTO_BAN_GROUP_ID = `${DEFAULT_PIPELINE_GROUPS.api}-auto-ban`;

export interface AutoBanDeps {
  bus: Bus;
  decisions: DecisionStore;
  whitelist: Whitelist;
  rules: AutoBanRules;
  logger: Logger;
  registry: Registry;
  topic?: string;
  groupId?: string;
  /** Epoch milliseconds; injectable for tests. */
  now?: () => number;
}

/** Starts following the alerts; null when no rule is configured (nothing to read). */
export async function startAutoBan(deps: AutoBanDeps): Promise<Subscription | null> {
  if (Object.keys(deps.rules).length === 0) return null;
  const { logger } = deps;
  const outcomes = new Counter({
    name: "api_auto_bans_total",
    help: "High-priority alerts read for automatic bans, by outcome",
    labelNames: ["outcome"],
    registers: [deps.registry],
  });
  return deps.bus.subscribe({
    groupId: deps.groupId ?? AUTO_BAN_GROUP_ID,
    topics: [deps.topic ?? TOPICS.highPriorityAlerts],
    fromBeginning: true,
    async handleBatch(messages) {
      for (const message of messages) {
        const decoded = decodeMessage(highPriorityAlertSchema, message);
        // The alerter, the topic's consumer of record, dead-letters malformed alerts; one copy is enough.
        if (!decoded.ok) {
          outcomes.inc({ outcome: "malformed" });
          continue;
        }
        const now = (deps.now ?? Date.now)() / 1000;
        const request = autoBanOf(decoded.value, deps.rules, now);
        if (request === null) {
          outcomes.inc({ outcome: "no_ban" });
          continue;
        }
        const checked = banTargetOf(request.ip);
        const refusal =
          "problem" in checked
            ? checked.problem
            : whitelistConflict(checked.target, deps.whitelist.entries()) === null
              ? null
              : `${request.ip} is whitelisted`;
        if (refusal !== null) {
          logger.warn({ alert_id: request.alert_id, ip: request.ip, refusal }, "automatic ban refused");
          outcomes.inc({ outcome: "refused" });
          continue;
        }
        const { ban, created } = await deps.decisions.ban(request, now);
        if (created) logger.info({ ban }, "automatic ban made");
        outcomes.inc({ outcome: created ? "banned" : "already_banned" });
      }
    },
  });
}
