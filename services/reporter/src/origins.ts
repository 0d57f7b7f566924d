/**
 * Where the month's incidents came from: counts per country and per network (AS) of the source
 * address, as the worker's enrichment recorded them (docs/enrichment.md), and their wording.
 */
import type { ProcessedLog } from "@soc/shared";

/** Rows in each of the report's origin tables. */
export const TOP_ORIGINS = 10;

export interface CountryCount {
  /** ISO 3166-1 alpha-2, e.g. "US". */
  code: string;
  /** English name, e.g. "United States"; null when no incident recorded one. */
  name: string | null;
  count: number;
}

export interface NetworkCount {
  asNumber: number;
  /** As registered by the AS's holder; null when no incident recorded one. */
  organization: string | null;
  count: number;
}

interface Keyed<K> {
  key: K;
  /** The name shown for the key; where incidents disagree the most frequent wins, as Elasticsearch's terms of size 1. */
  name: string | undefined;
}

const byKey = <K extends string | number>(a: K, b: K): number => (a < b ? -1 : a > b ? 1 : 0);

function mostFrequent(names: Map<string, number>): string | null {
  const [first] = [...names].sort(([a, countA], [b, countB]) => countB - countA || byKey(a, b));
  return first?.[0] ?? null;
}

/** Most incidents first, ties by key ascending: the order of Elasticsearch's terms aggregation. */
function ranked<K extends string | number>(
  items: Keyed<K>[],
  limit: number,
): { key: K; name: string | null; count: number }[] {
  const groups = new Map<K, { count: number; names: Map<string, number> }>();
  for (const { key, name } of items) {
    const group = groups.get(key) ?? { count: 0, names: new Map<string, number>() };
    group.count += 1;
    if (name !== undefined) group.names.set(name, (group.names.get(name) ?? 0) + 1);
    groups.set(key, group);
  }
  return [...groups]
    .map(([key, group]) => ({ key, name: mostFrequent(group.names), count: group.count }))
    .sort((a, b) => b.count - a.count || byKey(a.key, b.key))
    .slice(0, limit);
}

/** Incidents per country of the source address; incidents with no country are not counted. */
export function topCountries(incidents: ProcessedLog[], limit = TOP_ORIGINS): CountryCount[] {
  const located = incidents.flatMap(({ client }) =>
    client?.geo === undefined ? [] : [{ key: client.geo.country_iso_code, name: client.geo.country_name }],
  );
  return ranked(located, limit).map(({ key, name, count }) => ({ code: key, name, count }));
}

/** Incidents per AS of the source address; private and unknown addresses are not counted. */
export function topNetworks(incidents: ProcessedLog[], limit = TOP_ORIGINS): NetworkCount[] {
  const networks = incidents.flatMap(({ client }) =>
    client?.as === undefined ? [] : [{ key: client.as.number, name: client.as.organization?.name }],
  );
  return ranked(networks, limit).map(({ key, name, count }) => ({ asNumber: key, organization: name, count }));
}

/** "United States (US)", or the code alone when no name was recorded. */
export const countryLabel = ({ code, name }: Pick<CountryCount, "code" | "name">): string =>
  name === null ? code : `${name} (${code})`;

/** "AS15169 Google LLC", or "AS15169" alone. */
export const networkLabel = ({ asNumber, organization }: Pick<NetworkCount, "asNumber" | "organization">): string =>
  organization === null ? `AS${asNumber}` : `AS${asNumber} ${organization}`;
