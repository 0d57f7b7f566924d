/**
 * What a location database answers, as ECS `client.geo` / `client.as`. Pure. Databases of two
 * families are read, each by its own record shape:
 * - MaxMind GeoLite2/GeoIP2 Country and City: `{ country: { iso_code, names: { en } }, registered_country }`;
 *   ASN: `{ autonomous_system_number, autonomous_system_organization }`.
 * - ip-location-db country databases: `{ country_code }`; its ASN data has MaxMind's ASN field names.
 */
import { z } from "zod";
import type { ClientEnrichment } from "@soc/shared";

export type Geo = NonNullable<ClientEnrichment["geo"]>;
export type AutonomousSystem = NonNullable<ClientEnrichment["as"]>;

const isoCode = z.string().regex(/^[A-Z]{2}$/);
const maxmindCountry = z.object({
  iso_code: isoCode,
  names: z
    .object({ en: z.string().min(1).max(128) })
    .partial()
    .optional(),
});
const countryRecord = z.union([
  // A satellite or anycast network has no `country`: the country it is registered in is the next best answer.
  z.object({ country: maxmindCountry }).transform((r) => r.country),
  z.object({ registered_country: maxmindCountry }).transform((r) => r.registered_country),
  z.object({ country_code: isoCode }).transform((r) => ({ iso_code: r.country_code, names: undefined })),
]);
const asRecord = z.object({
  autonomous_system_number: z.number().int().positive().max(4_294_967_295),
  autonomous_system_organization: z.string().max(256).optional(),
});

const englishRegionNames = new Intl.DisplayNames(["en"], { type: "region", fallback: "none" });

/** English name of an ISO 3166-1 alpha-2 code (`XK`, user-assigned, has none in some runtimes). */
export function countryNameOf(isoCode: string): string | undefined {
  try {
    return englishRegionNames.of(isoCode);
  } catch {
    return undefined;
  }
}

/** The country in a Country/City record; null when the record has none (an unknown or reserved network). */
export function geoOf(record: unknown): Geo | null {
  const parsed = countryRecord.safeParse(record);
  if (!parsed.success) return null;
  const name = parsed.data.names?.en ?? countryNameOf(parsed.data.iso_code);
  return { country_iso_code: parsed.data.iso_code, ...(name !== undefined ? { country_name: name } : {}) };
}

/** The autonomous system in an ASN record; null when the record has none. */
export function autonomousSystemOf(record: unknown): AutonomousSystem | null {
  const parsed = asRecord.safeParse(record);
  if (!parsed.success) return null;
  const name = parsed.data.autonomous_system_organization?.trim();
  return { number: parsed.data.autonomous_system_number, ...(name ? { organization: { name } } : {}) };
}
