/**
 * Automatic bans: which high-priority alerts ban their source, and for how long (AUTO_BAN_RULES,
 * e.g. `brute_force=4h,traffic_spike=1h`). Pure; auto-ban-consumer.ts feeds it the alerts.
 */
import { isIP } from "node:net";
import { z } from "zod";
import { HIGH_PRIORITY_ALERT_TYPES, type HighPriorityAlert, type HighPriorityAlertType } from "@soc/shared";
import { banDuration, type BanRequest } from "./ban.ts";
import { formatTarget, parseTarget } from "./target.ts";

export type AutoBanRules = Partial<Record<HighPriorityAlertType, number>>;

/** On unless set otherwise: a brute force bans its source for 4 hours (as CrowdSec's default profile). */
export const DEFAULT_AUTO_BAN_RULES = "brute_force=4h";

/** AUTO_BAN_RULES: `type=duration` pairs, comma-separated; empty turns automatic bans off. */
export const autoBanRulesSetting = z
  .string()
  .default(DEFAULT_AUTO_BAN_RULES)
  .transform((text, ctx) => {
    const rules: AutoBanRules = {};
    for (const pair of text
      .split(",")
      .map((part) => part.trim())
      .filter((part) => part !== "")) {
      const [type = "", duration = ""] = pair.split("=").map((part) => part.trim());
      if (!(HIGH_PRIORITY_ALERT_TYPES as readonly string[]).includes(type) || type === "credential_leak") {
        ctx.addIssue({
          code: "custom",
          message: `${JSON.stringify(type)}: expected brute_force or traffic_spike (alerts with a source address)`,
        });
        continue;
      }
      const seconds = banDuration.safeParse(duration);
      if (!seconds.success) {
        ctx.addIssue({ code: "custom", message: `${type}: ${seconds.error.issues[0]?.message ?? "invalid duration"}` });
        continue;
      }
      rules[type as HighPriorityAlertType] = seconds.data;
    }
    return rules;
  });

/**
 * The ban an alert calls for, or null. Only a source a recognised log format placed is banned:
 * an address merely found in a line's text may have been written there by the attacker to get
 * someone else banned. A traffic spike bans only when it is one source's spike, not an endpoint's.
 * The ban runs from the alert's detection time, so an alert read late bans for what is left.
 */
export function autoBanOf(alert: HighPriorityAlert, rules: AutoBanRules, nowSeconds: number): BanRequest | null {
  const seconds = rules[alert.type];
  // source_ip may be a host name (sshd with UseDNS): enforcers take addresses only.
  if (seconds === undefined || alert.source_ip === null || isIP(alert.source_ip) === 0) return null;
  if (alert.details.source_inferred === true) return null;
  if (alert.type === "traffic_spike" && alert.details.scope !== "ip") return null;
  const target = parseTarget(alert.source_ip);
  const expires = alert.detected_at + seconds;
  if (target === null || expires <= nowSeconds) return null;
  return {
    ip: formatTarget(target),
    scope: "Ip",
    reason: alert.summary,
    origin: `rule:${alert.type}`,
    alert_id: alert.alert_id,
    created_at: nowSeconds,
    expires_at: expires,
  };
}
