import { describe, expect, it } from "vitest";
import { formatTime, previousMonth, whitelistOwner } from "./format.ts";
import { whitelistEntryProblem } from "./ip.ts";
import { alertQuery } from "./query.ts";

const none = { status: "", rule: "", sourceIp: "", text: "" };
const range = { from: 1_795_514_400, to: 1_795_600_800 };

describe("alertQuery", () => {
  it("asks for anomalies in the range, with only the filters that are set", () => {
    expect(alertQuery({ anomalies: true, filters: none, range }, 50)).toEqual({
      is_anomaly: "true",
      size: 50,
      ...range,
    });
    expect(
      alertQuery(
        {
          anomalies: false,
          filters: { status: "new", rule: "brute_force", sourceIp: " 1.2.3.4 ", text: "root" },
          range,
        },
        50,
        "abc",
      ),
    ).toEqual({
      is_anomaly: "false",
      size: 50,
      status: "new",
      rule: "brute_force",
      source_ip: "1.2.3.4",
      q: "root",
      ...range,
      cursor: "abc",
    });
  });
});

describe("whitelistEntryProblem", () => {
  it.each(["8.8.8.8", "10.0.0.0/8", "2001:db8::1", "2001:db8::/32", "0.0.0.0/0"])("accepts %s", (entry) => {
    expect(whitelistEntryProblem(entry)).toBeNull();
  });
  it.each([
    ["", /Enter an IP/],
    ["999.1.1.1", /not an IPv4 or IPv6/],
    ["10.0.0.0/33", /from 0 to 32/],
    ["1.2.3.4/8/9", /one '\/'/],
    ["hello", /not an IPv4/],
  ])("explains what is wrong with %j", (entry, problem) => {
    expect(whitelistEntryProblem(entry)).toMatch(problem);
  });
});

describe("format", () => {
  it("shows UTC times and last month", () => {
    expect(formatTime(1_795_514_400)).toBe("2026-11-24 10:00:00");
    expect(previousMonth(new Date("2026-01-15T00:00:00Z"))).toBe("2025-12");
  });
});

describe("whitelistOwner", () => {
  it.each([
    ["api", { label: "API", gitManaged: false }],
    ["IpWhitelist soc/office", { label: "IpWhitelist soc/office", gitManaged: true }],
  ])("%s", (owner, expected) => {
    expect(whitelistOwner(owner)).toEqual(expected);
  });
});
