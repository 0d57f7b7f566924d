import { describe, expect, it } from "vitest";
import type { ClientEnrichment, ProcessedLog } from "@soc/shared";
import { countryLabel, networkLabel, topCountries, topNetworks } from "./origins.ts";
import { winAnsiText } from "./pdf-text.ts";

const incident = (id: string, client?: ClientEnrichment): ProcessedLog => ({
  id,
  message: "m",
  timestamp: 0,
  status: "new",
  is_anomaly: true,
  reason: "r",
  source_ip: "192.0.2.1",
  ...(client === undefined ? {} : { client }),
});
const us = { country_iso_code: "US", country_name: "United States" };
const google = { number: 15_169, organization: { name: "Google LLC" } };

describe("top countries and networks of a month's incidents", () => {
  const incidents = [
    incident("1", { geo: us, as: google }),
    incident("2", { geo: us, as: google }),
    incident("3", { geo: { country_iso_code: "NL", country_name: "Netherlands" }, as: { number: 64_500 } }),
    incident("4", { geo: { country_iso_code: "DE" } }),
    incident("5", { network: "private" }),
    incident("6"),
  ];

  it("counts per country, most first, ties by code; addresses with no country are left out", () => {
    expect(topCountries(incidents)).toEqual([
      { code: "US", name: "United States", count: 2 },
      { code: "DE", name: null, count: 1 },
      { code: "NL", name: "Netherlands", count: 1 },
    ]);
  });

  it("counts per AS, ties by number; private and unknown addresses are left out", () => {
    expect(topNetworks(incidents)).toEqual([
      { asNumber: 15_169, organization: "Google LLC", count: 2 },
      { asNumber: 64_500, organization: null, count: 1 },
    ]);
  });

  it("keeps only the top rows, and names a key by its most frequent name when incidents disagree", () => {
    const renamed = [
      incident("a", { as: { number: 1, organization: { name: "Old" } } }),
      ...["b", "c"].map((id) => incident(id, { as: { number: 1, organization: { name: "New" } } })),
    ];
    expect(topNetworks([...renamed, incident("d", { as: { number: 2 } })], 1)).toEqual([
      { asNumber: 1, organization: "New", count: 3 },
    ]);
  });

  it("words them as the report shows them", () => {
    expect(countryLabel({ code: "US", name: "United States" })).toBe("United States (US)");
    expect(countryLabel({ code: "DE", name: null })).toBe("DE");
    expect(networkLabel({ asNumber: 15_169, organization: "Google LLC" })).toBe("AS15169 Google LLC");
    expect(networkLabel({ asNumber: 64_500, organization: null })).toBe("AS64500");
  });
});

describe("text for the report's built-in fonts", () => {
  it.each([
    ["Telefónica Côte d’Ivoire €", "Telefónica Côte d’Ivoire €"],
    ["Łódź", "?ódz"],
    ["中国电信 Chinanet", "???? Chinanet"],
    ["ООО Ростелеком", "??? ??????????"],
    ["line\nbreak\ttab", "line break tab"],
  ])("shows %j as %j", (text, shown) => {
    expect(winAnsiText(text)).toBe(shown);
  });
});
