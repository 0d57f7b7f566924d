/**
 * The effective whitelist of a pipeline and what to publish to make `config-updates` say it.
 * Pure: the union of every IpWhitelist's usable entries, each with one owner, and the difference
 * from what the topic says now, so an entry removed or re-owned behind the operator's back is put
 * back (Git wins). The record of what was last published (kept in the cluster) only adds the
 * entries that messages without an owner, from before owners existed, still attribute to `api`.
 */
import {
  normalizeEntry,
  ownedByCustomResource,
  whitelistEntryProblem,
  type ConfigUpdate,
  type OwnedEntry,
} from "@soc/shared";

export interface WhitelistSource {
  /** Name of the IpWhitelist, as its status is keyed. */
  key: string;
  /** `IpWhitelist <namespace>/<name>`. */
  owner: string;
  entries: { ip: string }[];
}

export interface RejectedEntry {
  ip: string;
  reason: string;
}

export interface EffectiveWhitelist {
  /** Normalized, unique, sorted by entry. */
  entries: OwnedEntry[];
  rejected: Map<string, RejectedEntry[]>;
  /** How many entries of each source are in `entries`. */
  usableBySource: Map<string, number>;
}

/** An entry listed by several IpWhitelists belongs to the first by namespace/name, whatever the listing order. */
export function effectiveWhitelist(sources: WhitelistSource[]): EffectiveWhitelist {
  const owners = new Map<string, string>();
  const rejected = new Map<string, RejectedEntry[]>();
  const usableBySource = new Map<string, number>();
  for (const source of [...sources].sort((a, b) => (a.owner < b.owner ? -1 : a.owner > b.owner ? 1 : 0))) {
    let usable = 0;
    for (const { ip } of source.entries) {
      const problem = whitelistEntryProblem(ip.trim());
      if (problem === null) {
        const entry = normalizeEntry(ip);
        if (!owners.has(entry)) owners.set(entry, source.owner);
        usable++;
      } else {
        rejected.set(source.key, [...(rejected.get(source.key) ?? []), { ip, reason: problem }]);
      }
    }
    usableBySource.set(source.key, usable);
  }
  const entries = [...owners.keys()].sort().map((ip) => ({ ip, owner: owners.get(ip) ?? "" }));
  return { entries, rejected, usableBySource };
}

/**
 * The messages that turn what the topic says into `wanted`: removals first, then additions.
 * Removed: entries no longer wanted that an IpWhitelist owns, or that `record` says the operator
 * published. Added: wanted entries missing from the topic or owned by someone else.
 */
export function whitelistChanges(
  onTopic: readonly OwnedEntry[],
  record: readonly string[],
  wanted: readonly OwnedEntry[],
): ConfigUpdate[] {
  const recorded = new Set(record);
  const wantedOwners = new Map(wanted.map((e) => [e.ip, e.owner]));
  const topicOwners = new Map(onTopic.map((e) => [e.ip, e.owner]));
  const removals = onTopic
    .filter((e) => !wantedOwners.has(e.ip) && (ownedByCustomResource(e.owner) || recorded.has(e.ip)))
    .sort((a, b) => (a.ip < b.ip ? -1 : 1))
    .map((e) => ({ action: "remove" as const, ip: e.ip, owner: e.owner }));
  const additions = wanted
    .filter((e) => topicOwners.get(e.ip) !== e.owner)
    .sort((a, b) => (a.ip < b.ip ? -1 : 1))
    .map((e) => ({ action: "add" as const, ip: e.ip, owner: e.owner }));
  return [...removals, ...additions];
}
