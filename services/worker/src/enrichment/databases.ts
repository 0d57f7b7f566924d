/**
 * Opens the location databases once, at start: the user's own MaxMind-format files when configured
 * (GeoLite2/GeoIP2 Country, City or ASN), otherwise the ones shipped in npm packages
 * (ip-location-db's country MMDB and ASN ranges). The reader is imported only when enrichment is on.
 */
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { findAutonomousSystem, parseAsnRanges } from "./asn-ranges.ts";
import { createEnricher, type Enrich, type LocationLookups } from "./enricher.ts";
import { autonomousSystemOf, geoOf } from "./records.ts";

export interface EnrichmentSettings {
  /** A Country or City `.mmdb`; the bundled country database when absent. */
  countryDatabase?: string;
  /** An ASN `.mmdb`; the bundled ASN ranges when absent. */
  asnDatabase?: string;
  cacheSize?: number;
}

const packaged = createRequire(import.meta.url);
export const BUNDLED_COUNTRY_DATABASE = packaged.resolve(
  "@ip-location-db/geo-whois-asn-country-mmdb/geo-whois-asn-country.mmdb",
);
const BUNDLED_ASN_RANGES = {
  ipv4: packaged.resolve("@ip-location-db/asn/asn-ipv4-num.csv"),
  ipv6: packaged.resolve("@ip-location-db/asn/asn-ipv6-num.csv"),
};

type Lookup<T> = (address: string) => T | null;

/** A MaxMind-format file, checked to hold what the setting says, so a swapped pair fails at start and not silently. */
async function openMaxmind<T>(
  path: string,
  kind: "country" | "ASN",
  answerOf: (record: unknown) => T | null,
): Promise<Lookup<T>> {
  const { open } = await import("maxmind");
  const reader = await open(path).catch((error: unknown) => {
    throw new Error(
      `cannot open the ${kind} database ${path}: ${error instanceof Error ? error.message : String(error)}`,
    );
  });
  const type = reader.metadata.databaseType;
  if (/asn/i.test(type) !== (kind === "ASN"))
    throw new Error(`${path} is a "${type}" database, not ${kind === "ASN" ? "an" : "a"} ${kind} database`);
  return (address) => answerOf(reader.get(address));
}

async function openBundledAsnRanges(): Promise<Lookup<ReturnType<typeof findAutonomousSystem>>> {
  const [ipv4, ipv6] = await Promise.all([
    readFile(BUNDLED_ASN_RANGES.ipv4, "utf8"),
    readFile(BUNDLED_ASN_RANGES.ipv6, "utf8"),
  ]);
  const ranges = parseAsnRanges(ipv4, ipv6);
  return (address) => findAutonomousSystem(ranges, address);
}

export async function openLocationLookups(settings: EnrichmentSettings): Promise<LocationLookups> {
  const [geo, autonomousSystem] = await Promise.all([
    openMaxmind(settings.countryDatabase ?? BUNDLED_COUNTRY_DATABASE, "country", geoOf),
    settings.asnDatabase === undefined
      ? openBundledAsnRanges()
      : openMaxmind(settings.asnDatabase, "ASN", autonomousSystemOf),
  ]);
  return { geo, autonomousSystem };
}

export async function openEnrichment(settings: EnrichmentSettings): Promise<Enrich> {
  return createEnricher(await openLocationLookups(settings), settings.cacheSize);
}
