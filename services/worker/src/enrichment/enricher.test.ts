import { describe, expect, it } from "vitest";
import { createEnricher, type LocationLookups } from "./enricher.ts";

/** Lookups answering for 8.8.8.8 only, counting how often they are asked. */
function countingLookups(): LocationLookups & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    geo: (address) => (
      asked.push(address),
      address === "8.8.8.8" ? { country_iso_code: "US", country_name: "United States" } : null
    ),
    autonomousSystem: (address) =>
      address === "8.8.8.8" ? { number: 15169, organization: { name: "Google LLC" } } : null,
  };
}

describe("createEnricher", () => {
  it("answers country and network of a public address, IPv4-mapped or not", () => {
    const enrich = createEnricher(countingLookups());
    const expected = {
      geo: { country_iso_code: "US", country_name: "United States" },
      as: { number: 15169, organization: { name: "Google LLC" } },
    };
    expect(enrich("8.8.8.8")).toEqual(expected);
    expect(enrich("::ffff:8.8.8.8")).toEqual(expected);
  });

  it("labels a private or reserved address without asking the databases", () => {
    const lookups = countingLookups();
    const enrich = createEnricher(lookups);
    expect(enrich("192.168.1.10")).toEqual({ network: "private" });
    expect(enrich("::ffff:100.64.3.4")).toEqual({ network: "shared" });
    expect(lookups.asked).toEqual([]);
  });

  it("says nothing of a host name, no source, or an address no database knows", () => {
    const enrich = createEnricher(countingLookups());
    expect(enrich(null)).toBeUndefined();
    expect(enrich("attacker.example")).toBeUndefined();
    expect(enrich("9.9.9.9")).toBeUndefined();
  });

  it("asks the databases once per address while it stays among the most recently used", () => {
    const lookups = countingLookups();
    const enrich = createEnricher(lookups, 2);
    for (const address of ["8.8.8.8", "9.9.9.9", "8.8.8.8", "1.1.1.1", "8.8.8.8", "9.9.9.9"]) enrich(address);
    // 9.9.9.9 was the least recently used when 1.1.1.1 came, so it is asked again; 8.8.8.8 never is.
    expect(lookups.asked).toEqual(["8.8.8.8", "9.9.9.9", "1.1.1.1", "9.9.9.9"]);
  });
});
