import { describe, expect, it } from "vitest";
import { findAutonomousSystem, ipv6ToInteger, parseAsnRanges } from "./asn-ranges.ts";

const IPV4 = [
  '16777216,16777471,13335,"Cloudflare, Inc."',
  "134744064,134744319,15169,Google LLC",
  "134744320,134744575,0,",
  '3596550144,3607166975,749,"Example ""Defense"" Net"',
  "3607101440,3607167999,721,Later Net",
  "3607168000,3607168000,721,Later Net",
  "",
].join("\n");
const IPV6 = ["42541956101370907050197289607612071936,42541956101370907050197289607612072191,15169,Google LLC"].join(
  "\r\n",
);

describe("ASN ranges", () => {
  const ranges = parseAsnRanges(IPV4, IPV6);

  it("finds the range an address is in, inclusive at both ends", () => {
    expect(findAutonomousSystem(ranges, "1.0.0.0")).toEqual({
      number: 13335,
      organization: { name: "Cloudflare, Inc." },
    });
    expect(findAutonomousSystem(ranges, "1.0.0.255")).toEqual({
      number: 13335,
      organization: { name: "Cloudflare, Inc." },
    });
    expect(findAutonomousSystem(ranges, "8.8.8.8")).toEqual({ number: 15169, organization: { name: "Google LLC" } });
  });

  it("answers null between ranges and for space announced by AS 0", () => {
    expect(findAutonomousSystem(ranges, "1.0.1.0")).toBeNull();
    expect(findAutonomousSystem(ranges, "8.8.9.1")).toBeNull();
    expect(findAutonomousSystem(ranges, "255.255.255.255")).toBeNull();
  });

  it("unquotes organization names and lets the earlier of two overlapping rows keep the overlap", () => {
    expect(findAutonomousSystem(ranges, "215.0.255.255")).toEqual({
      number: 749,
      organization: { name: 'Example "Defense" Net' },
    });
    expect(findAutonomousSystem(ranges, "215.1.0.0")).toEqual({ number: 721, organization: { name: "Later Net" } });
  });

  it("reads IPv6 ranges (CRLF lines too)", () => {
    expect(findAutonomousSystem(ranges, "2001:4860::1")).toEqual({
      number: 15169,
      organization: { name: "Google LLC" },
    });
    expect(findAutonomousSystem(ranges, "2001:4860::100")).toBeNull();
  });

  it("turns canonical IPv6 into integers", () => {
    expect(ipv6ToInteger("::")).toBe(0n);
    expect(ipv6ToInteger("::1")).toBe(1n);
    expect(ipv6ToInteger("2001:4860::")).toBe(42541956101370907050197289607612071936n);
    expect(ipv6ToInteger("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff")).toBe(2n ** 128n - 1n);
  });

  it.each([
    ["a row that is not start,end,asn,organization", "1,2\n"],
    ["an address that is no integer", "1.0.0.0,1.0.0.255,13335,X\n"],
    ["rows out of order", "200,300,1,A\n100,150,2,B\n"],
    ["a range that ends before it starts", "300,200,1,A\n"],
  ])("refuses %s, with the line", (_, csv) => {
    expect(() => parseAsnRanges(csv, "")).toThrow(/line \d+|not an IPv4/);
  });
});
