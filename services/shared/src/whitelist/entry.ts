/**
 * What may be a whitelist entry: one rule for the API, the workers, the config and the operator, so
 * no path (an admin call, a message on `config-updates`, WHITELISTED_IPS, an IpWhitelist) can
 * silence a share of the internet that none of the others would accept.
 */
import { z } from "zod";
import { commaList } from "../config.ts";

export const ipAddress = z.union([z.ipv4(), z.ipv6()]);
export const cidrOrIp = z.union([z.ipv4(), z.ipv6(), z.cidrv4(), z.cidrv6()]);

/** Broadest blocks accepted: wider ones would hide attacks from a large share of the internet. */
export const MIN_WHITELIST_PREFIX = { 4: 8, 6: 32 } as const;

/** Why an entry cannot (or must not) be whitelisted, or null when it is fine. */
export function whitelistEntryProblem(entry: string): string | null {
  if (!cidrOrIp.safeParse(entry).success) return "not an IPv4/IPv6 address or CIDR block";
  const [, prefix] = entry.split("/");
  if (prefix === undefined) return null;
  const family = entry.includes(":") ? 6 : 4;
  const minimum = MIN_WHITELIST_PREFIX[family];
  if (Number(prefix) < minimum)
    return `a /${prefix} block is too broad (at most /${minimum} for IPv${family}): it would hide attacks from a large share of the internet`;
  return null;
}

/** An entry that may be added to the whitelist (zod, for every edge that takes one). */
export const whitelistEntry = z.string().superRefine((entry, ctx) => {
  const problem = whitelistEntryProblem(entry);
  if (problem !== null) ctx.addIssue({ code: "custom", message: problem });
});

/** WHITELISTED_IPS: comma-separated entries, each under the same rule; empty unless set. */
export const whitelistSetting = commaList.pipe(z.array(whitelistEntry)).default([]);
