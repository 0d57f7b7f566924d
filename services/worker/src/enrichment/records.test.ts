import { describe, expect, it } from "vitest";
import { autonomousSystemOf, geoOf } from "./records.ts";

describe("geoOf", () => {
  it("reads a GeoLite2/GeoIP2 Country or City record, with its English name", () => {
    const city = {
      city: { names: { en: "Amsterdam" } },
      country: { iso_code: "NL", geoname_id: 2750405, names: { en: "Netherlands", de: "Niederlande" } },
      registered_country: { iso_code: "NL" },
    };
    expect(geoOf(city)).toEqual({ country_iso_code: "NL", country_name: "Netherlands" });
  });

  it("falls back to the registered country when a network has no country (anycast, satellite)", () => {
    expect(geoOf({ registered_country: { iso_code: "US", names: { en: "United States" } } })).toEqual({
      country_iso_code: "US",
      country_name: "United States",
    });
  });

  it("reads an ip-location-db record and names the country itself", () => {
    expect(geoOf({ country_code: "JP" })).toEqual({ country_iso_code: "JP", country_name: "Japan" });
  });

  it.each([null, undefined, {}, { country_code: "eu-west" }, { country: { iso_code: 42 } }, "NL"])(
    "answers null for %j",
    (record) => {
      expect(geoOf(record)).toBeNull();
    },
  );
});

describe("autonomousSystemOf", () => {
  it("reads a GeoLite2 ASN record", () => {
    expect(autonomousSystemOf({ autonomous_system_number: 15169, autonomous_system_organization: "GOOGLE" })).toEqual({
      number: 15169,
      organization: { name: "GOOGLE" },
    });
  });

  it("keeps the number when the organization is blank or missing", () => {
    expect(autonomousSystemOf({ autonomous_system_number: 64500, autonomous_system_organization: " " })).toEqual({
      number: 64500,
    });
    expect(autonomousSystemOf({ autonomous_system_number: 64500 })).toEqual({ number: 64500 });
  });

  it.each([
    null,
    {},
    { autonomous_system_number: 0 },
    { autonomous_system_number: "15169" },
    { autonomous_system_number: 2 ** 32 },
  ])("answers null for %j", (record) => {
    expect(autonomousSystemOf(record)).toBeNull();
  });
});
