import { describe, expect, it } from "vitest";
import { contains, formatTarget, overlaps, parseTarget, type Target } from "./target.ts";

const t = (text: string): Target => {
  const target = parseTarget(text);
  if (target === null) throw new Error(`not a target: ${text}`);
  return target;
};

describe("ban targets", () => {
  it("writes addresses and blocks canonically: host bits cleared, a full prefix as the address, IPv6 per RFC 5952", () => {
    expect(
      [
        "203.0.113.7",
        "203.0.113.7/24",
        "203.0.113.7/32",
        "2001:DB8:0:0:0:0:0:1",
        "2001:db8::1/128",
        "2001:db8:abcd:12::5/48",
        "::",
        "::ffff:192.0.2.1",
        "2001:db8:0:0:1:0:0:1",
      ].map((text) => formatTarget(t(text))),
    ).toEqual([
      "203.0.113.7",
      "203.0.113.0/24",
      "203.0.113.7",
      "2001:db8::1",
      "2001:db8::1",
      "2001:db8:abcd::/48",
      "::",
      "::ffff:c000:201",
      "2001:db8::1:0:0:1",
    ]);
  });

  it("refuses what is not an address or block", () => {
    expect(
      [
        "",
        "203.0.113",
        "203.0.113.7/33",
        "2001:db8::/129",
        "203.0.113.7/24/1",
        "203.0.113.7/",
        "example.com",
        "1.2.3.4/-1",
        "1.2.3.4/ 8",
      ].map(parseTarget),
    ).toEqual(Array(9).fill(null));
  });

  it("knows containment and overlap, across prefix lengths and never across families", () => {
    expect(contains(t("203.0.113.0/24"), t("203.0.113.200"))).toBe(true);
    expect(contains(t("203.0.113.200"), t("203.0.113.0/24"))).toBe(false);
    expect(contains(t("203.0.113.0/24"), t("203.0.112.0/23"))).toBe(false);
    expect(overlaps(t("203.0.113.200"), t("203.0.0.0/16"))).toBe(true);
    expect(overlaps(t("203.0.114.0/24"), t("203.0.113.0/24"))).toBe(false);
    expect(overlaps(t("2001:db8::/32"), t("2001:db8:ffff::9"))).toBe(true);
    expect(overlaps(t("0.0.0.0/0"), t("::1"))).toBe(false);
  });
});
