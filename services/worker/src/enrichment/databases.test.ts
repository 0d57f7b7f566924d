/** The databases shipped in the npm packages, opened for real: stable allocations map where they should. */
import { describe, expect, it } from "vitest";
import { BUNDLED_COUNTRY_DATABASE, openEnrichment, openLocationLookups } from "./databases.ts";

describe("bundled location databases", { timeout: 60_000 }, () => {
  const lookups = openLocationLookups({});

  it.each([
    ["8.8.8.8", "US", 15169],
    ["2001:4860:4860::8888", "US", 15169],
    ["1.1.1.1", undefined, 13335],
    ["193.0.0.1", "NL", 3333],
  ])("places %s in %s, AS%i", async (address, country, asn) => {
    const { geo, autonomousSystem } = await lookups;
    if (country !== undefined) expect(geo(address)?.country_iso_code).toBe(country);
    expect(autonomousSystem(address)?.number).toBe(asn);
  });

  it("names Google's network with its country in English", async () => {
    const enrich = await openEnrichment({ cacheSize: 10 });
    expect(enrich("8.8.8.8")).toEqual({
      geo: { country_iso_code: "US", country_name: "United States" },
      as: { number: 15169, organization: { name: expect.stringMatching(/google/i) } },
    });
    expect(enrich("10.0.0.1")).toEqual({ network: "private" });
  });

  it("refuses a country database given as the ASN database, at start", async () => {
    await expect(openLocationLookups({ asnDatabase: BUNDLED_COUNTRY_DATABASE })).rejects.toThrow(
      /is a "country[^"]*" database, not an ASN database/,
    );
  });

  it("says which file it cannot open", async () => {
    await expect(openLocationLookups({ countryDatabase: "/nonexistent/GeoLite2-Country.mmdb" })).rejects.toThrow(
      "/nonexistent/GeoLite2-Country.mmdb",
    );
  });
});
