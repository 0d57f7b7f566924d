/**
 * Country and network of a source address, as the optional `client` block of documents and alerts.
 * Pure apart from the lookups it is given; answers are cached, most recently used kept, since an
 * attack repeats the same few addresses.
 */
import type { ClientEnrichment } from "@soc/shared";
import { lookupAddressOf, networkScopeOf } from "./network-scope.ts";
import type { AutonomousSystem, Geo } from "./records.ts";

/** The databases, by address (dotted IPv4 or canonical IPv6). */
export interface LocationLookups {
  geo(address: string): Geo | null;
  autonomousSystem(address: string): AutonomousSystem | null;
}

/** The `client` block for a source (an address, a host name or nothing); undefined when there is nothing to say. */
export type Enrich = (source: string | null) => ClientEnrichment | undefined;

export const DEFAULT_ENRICHMENT_CACHE_SIZE = 10_000;

export function createEnricher(lookups: LocationLookups, cacheSize = DEFAULT_ENRICHMENT_CACHE_SIZE): Enrich {
  const cache = new Map<string, ClientEnrichment | undefined>();

  const lookUp = (address: string): ClientEnrichment | undefined => {
    const network = networkScopeOf(address);
    if (network !== null) return { network };
    const [geo, as] = [lookups.geo(address), lookups.autonomousSystem(address)];
    if (geo === null && as === null) return undefined;
    return { ...(geo !== null ? { geo } : {}), ...(as !== null ? { as } : {}) };
  };

  return (source) => {
    const address = source === null ? null : lookupAddressOf(source);
    if (address === null) return undefined;
    if (cache.has(address)) {
      const cached = cache.get(address);
      cache.delete(address);
      cache.set(address, cached);
      return cached;
    }
    const answer = lookUp(address);
    cache.set(address, answer);
    if (cache.size > cacheSize) cache.delete(cache.keys().next().value as string);
    return answer;
  };
}
