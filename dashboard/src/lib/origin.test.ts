import { describe, expect, it } from "vitest";
import { flagEmoji, originNote, originOf } from "./origin.ts";

describe("originOf", () => {
  it("shows a located address by flag, code and name, and its network by AS number and name", () => {
    expect(
      originOf({
        geo: { country_iso_code: "US", country_name: "United States" },
        as: { number: 15_169, organization: { name: "Google LLC" } },
      }),
    ).toEqual({
      country: { flag: "🇺🇸", code: "US", name: "United States" },
      network: "AS15169 Google LLC",
      summary: "United States, AS15169 Google LLC",
    });
  });

  it("falls back to the code when no name was recorded, and to the number alone", () => {
    expect(originOf({ geo: { country_iso_code: "NL" }, as: { number: 64_500 } })).toEqual({
      country: { flag: "🇳🇱", code: "NL", name: "NL" },
      network: "AS64500",
      summary: "NL, AS64500",
    });
    expect(originOf({ as: { number: 64_500 } })).toEqual({ country: null, network: "AS64500", summary: "AS64500" });
  });

  it("names private and reserved ranges as the notifications do", () => {
    expect(originOf({ network: "private" })).toEqual({
      country: null,
      network: "private network",
      summary: "private network",
    });
    expect(originOf({ network: "shared" })?.network).toBe("carrier-grade NAT network");
  });

  it("is null when the address was not enriched", () => {
    expect(originOf(undefined)).toBeNull();
    expect(originOf({})).toBeNull();
  });
});

describe("flagEmoji", () => {
  it.each([
    ["US", "🇺🇸"],
    ["DE", "🇩🇪"],
    ["us", ""],
    ["USA", ""],
    ["", ""],
  ])("%j → %j", (code, flag) => {
    expect(flagEmoji(code)).toBe(flag);
  });
});

describe("originNote", () => {
  it("puts the country beside an address and says the rest in the title", () => {
    expect(
      originNote({
        geo: { country_iso_code: "US", country_name: "United States" },
        as: { number: 15_169, organization: { name: "Google LLC" } },
      }),
    ).toEqual({
      text: "🇺🇸 US",
      title: "United States, AS15169 Google LLC",
    });
  });

  it("shows the network when there is no country, and nothing without enrichment", () => {
    expect(originNote({ network: "private" })).toEqual({ text: "private network", title: "private network" });
    expect(originNote({ as: { number: 64_500 } })).toEqual({ text: "AS64500", title: "AS64500" });
    expect(originNote(undefined)).toBeNull();
  });
});
