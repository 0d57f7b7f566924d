/**
 * The effective whitelist of a pipeline and what to publish to make `config-updates` say it.
 * Pure: the union of every IpWhitelist's usable entries, and the difference from what was last
 * published (a record kept in the cluster), so publishing is idempotent and a deletion made while
 * the operator was down still becomes a `remove`.
 */
import { normalizeEntry, whitelistEntryProblem, type ConfigUpdate } from "@soc/shared";

export interface WhitelistSource {
  /** namespace/name of the IpWhitelist. */
  key: string;
  entries: { ip: string }[];
}

export interface RejectedEntry {
  ip: string;
  reason: string;
}

export interface EffectiveWhitelist {
  /** Normalized, unique, sorted. */
  entries: string[];
  rejected: Map<string, RejectedEntry[]>;
  /** How many entries of each source are in `entries`. */
  usableBySource: Map<string, number>;
}

export function effectiveWhitelist(sources: WhitelistSource[]): EffectiveWhitelist {
  const entries = new Set<string>();
  const rejected = new Map<string, RejectedEntry[]>();
  const usableBySource = new Map<string, number>();
  for (const source of sources) {
    let usable = 0;
    for (const { ip } of source.entries) {
      const problem = whitelistEntryProblem(ip.trim());
      if (problem === null) {
        entries.add(normalizeEntry(ip));
        usable++;
      } else {
        rejected.set(source.key, [...(rejected.get(source.key) ?? []), { ip, reason: problem }]);
      }
    }
    usableBySource.set(source.key, usable);
  }
  return { entries: [...entries].sort(), rejected, usableBySource };
}

/** The messages that turn the `published` whitelist into `wanted`: removals first, then additions. */
export function whitelistChanges(published: readonly string[], wanted: readonly string[]): ConfigUpdate[] {
  const before = new Set(published);
  const after = new Set(wanted);
  const removals = [...before].filter((ip) => !after.has(ip)).sort();
  const additions = [...after].filter((ip) => !before.has(ip)).sort();
  return [...removals.map((ip) => ({ action: "remove" as const, ip })), ...additions.map((ip) => ({ action: "add" as const, ip }))];
}
