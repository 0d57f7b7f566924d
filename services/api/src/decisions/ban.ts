/**
 * Bans: the pure rules of what may be banned, for how long, and how a new ban meets one already
 * in force. The stores (memory-store.ts, redis-store.ts) keep them; the routes and the automatic
 * rules (auto-ban.ts) only go through these functions.
 */
import { z } from "zod";
import { contains, formatTarget, isSingleAddress, overlaps, parseTarget, type Target } from "./target.ts";

export const banSchema = z
  .object({
    id: z
      .number()
      .int()
      .describe("Increasing integer, as CrowdSec's decision ids: a new ban on the same target gets a new id."),
    ip: z.string().describe("The address or CIDR block, in canonical form."),
    scope: z.enum(["Ip", "Range"]).describe("CrowdSec's scope: `Ip` for one address, `Range` for a CIDR block."),
    reason: z.string(),
    origin: z
      .string()
      .describe("`rule:<detection rule>` for automatic bans, `analyst:<key name>` for bans made through the API."),
    alert_id: z.string().nullable().describe("The alert that caused it, when there is one."),
    created_at: z.number().describe("Epoch seconds."),
    expires_at: z.number().describe("Epoch seconds; the ban ends then."),
  })
  .meta({ id: "Ban" });
export type Ban = z.infer<typeof banSchema>;
export type BanScope = Ban["scope"];

/** A ban as asked for; the store gives it its id. */
export type BanRequest = Omit<Ban, "id">;

/** Narrowest prefixes a ban may have: wider blocks cut off a large share of the internet (a firewall rule, not a response). */
export const MIN_BAN_PREFIX = { 4: 16, 6: 48 } as const;

export const MIN_BAN_SECONDS = 60;
/** Bans expire; the longest lasts 30 days. */
export const MAX_BAN_SECONDS = 30 * 86_400;

/** Blocks no enforcer may be told to drop: the host's own loopback and the unspecified address. */
const NEVER_BANNED = ["127.0.0.0/8", "::1", "0.0.0.0/8", "::"].map((text) => parseTarget(text) as Target);

/** The target of a ban, or why it cannot be one. */
export function banTargetOf(text: string): { target: Target } | { problem: string } {
  const target = parseTarget(text);
  if (target === null) return { problem: `${JSON.stringify(text)} is not an IPv4/IPv6 address or CIDR block` };
  const minimum = MIN_BAN_PREFIX[target.family];
  if (target.prefix < minimum)
    return { problem: `a /${target.prefix} block is too broad to ban (at most /${minimum} for IPv${target.family})` };
  const reserved = NEVER_BANNED.find((block) => overlaps(block, target));
  if (reserved !== undefined)
    return {
      problem: `${formatTarget(target)} is in ${formatTarget(reserved)}, which is never banned: enforcers would cut the host off from itself`,
    };
  return { target };
}

export const scopeOf = (target: Target): BanScope => (isSingleAddress(target) ? "Ip" : "Range");

/**
 * The whitelist entry that overlaps the target, or null. A whitelisted address is never banned,
 * and neither is a block holding one: the enforcer would drop the whitelisted address with it.
 */
export function whitelistConflict(target: Target, whitelistEntries: readonly string[]): string | null {
  for (const entry of whitelistEntries) {
    const whitelisted = parseTarget(entry);
    if (whitelisted !== null && overlaps(whitelisted, target)) return entry;
  }
  return null;
}

/** The bans the enforcers apply: those in force and clear of the whitelist (an entry added later lifts them at the next pull). */
export function enforceable(bans: readonly Ban[], whitelistEntries: readonly string[], nowSeconds: number): Ban[] {
  const whitelisted = whitelistEntries.map(parseTarget).filter((target) => target !== null);
  if (whitelisted.length === 0) return bans.filter((ban) => ban.expires_at > nowSeconds);
  return bans.filter((ban) => {
    const target = parseTarget(ban.ip);
    return ban.expires_at > nowSeconds && target !== null && !whitelisted.some((entry) => overlaps(entry, target));
  });
}

/**
 * A new ban against the one in force on the same target: the one lasting longer stands, so a
 * repeated or redelivered alert never shortens a ban nor makes a second one.
 */
export function supersedes(request: BanRequest, current: Ban | null, nowSeconds: number): boolean {
  return current === null || current.expires_at <= nowSeconds || request.expires_at > current.expires_at;
}

/** Whether the ban covers `query` (contains=true, CrowdSec's default) or lies inside it (contains=false). */
export function banMatches(ban: Ban, query: Target, containsQuery: boolean): boolean {
  const target = parseTarget(ban.ip);
  return target !== null && (containsQuery ? contains(target, query) : contains(query, target));
}

const GO_UNITS = { h: 3600, m: 60, s: 1 } as const;

/** Seconds as Go's time.Duration prints them (`3h59m50s`, `1m0s`, `-5s`), which bouncers parse with time.ParseDuration. */
export function goDuration(seconds: number): string {
  const whole = Math.trunc(seconds);
  if (whole === 0) return "0s";
  const sign = whole < 0 ? "-" : "";
  const rest = Math.abs(whole);
  const hours = Math.floor(rest / 3600);
  const minutes = Math.floor((rest % 3600) / 60);
  const secs = rest % 60;
  if (hours > 0) return `${sign}${hours}h${minutes}m${secs}s`;
  if (minutes > 0) return `${sign}${minutes}m${secs}s`;
  return `${sign}${secs}s`;
}

/** `4h`, `1h30m`, `90s`, `2d` (days, for convenience) → seconds; null when it is not such a duration. */
export function parseDuration(text: string): number | null {
  const match = /^(?:(\d{1,4})d)?(?:(\d{1,6})h)?(?:(\d{1,8})m)?(?:(\d{1,9})s)?$/.exec(text.trim());
  if (match === null || text.trim() === "") return null;
  const [, days = "0", hours = "0", minutes = "0", seconds = "0"] = match;
  return Number(days) * 86_400 + Number(hours) * GO_UNITS.h + Number(minutes) * GO_UNITS.m + Number(seconds);
}

/** A ban's duration at the edge: seconds, or a duration such as `4h` or `1h30m`. */
export const banDuration = z.union([z.number().int(), z.string().max(32)]).transform((value, ctx) => {
  const seconds = typeof value === "number" ? value : parseDuration(value);
  if (seconds === null) {
    ctx.addIssue({ code: "custom", message: "expected seconds or a duration such as 4h, 30m, 1h30m, 2d" });
    return z.NEVER;
  }
  if (seconds < MIN_BAN_SECONDS || seconds > MAX_BAN_SECONDS) {
    ctx.addIssue({
      code: "custom",
      message: `a ban lasts from ${goDuration(MIN_BAN_SECONDS)} to ${MAX_BAN_SECONDS / 86_400} days`,
    });
    return z.NEVER;
  }
  return seconds;
});
