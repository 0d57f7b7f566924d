import { describe, expect, it } from "vitest";
import type { Ban } from "./ban.ts";
import {
  decisionsQuerySchema,
  decisionsSelection,
  streamQuerySchema,
  streamSelection,
  toLapiDecision,
} from "./lapi.ts";

const ban = (id: number, ip: string, overrides: Partial<Ban> = {}): Ban => ({
  id,
  ip,
  scope: ip.includes("/") ? "Range" : "Ip",
  reason: "Brute-force attempt detected from x (5 attempts).",
  origin: "rule:brute_force",
  alert_id: "logs-0-4",
  created_at: 1_000,
  expires_at: 15_400,
  ...overrides,
});
const bans = [
  ban(1, "203.0.113.7"),
  ban(2, "198.51.100.0/24", { origin: "analyst:alice", reason: "scanner" }),
  ban(3, "2001:db8::/48"),
];
const ids = (selected: Ban[]): number[] => selected.map((b) => b.id);

describe("CrowdSec's decision shape", () => {
  it("renders a ban as a LAPI decision: time left in Go's format, the reason as scenario", () => {
    expect(toLapiDecision(bans[0] as Ban, 1_010)).toEqual({
      id: 1,
      origin: "rule:brute_force",
      type: "ban",
      scope: "Ip",
      value: "203.0.113.7",
      duration: "3h59m50s",
      until: "1970-01-01T04:16:40.000Z",
      scenario: "Brute-force attempt detected from x (5 attempts).",
    });
  });

  it("filters the stream by scopes (ip,range by default), origins and scenario words as bouncers send them", () => {
    const query = (q: Record<string, string>) => streamQuerySchema.parse(q);
    expect(ids(streamSelection(bans, query({ startup: "true" })))).toEqual([1, 2, 3]);
    expect(ids(streamSelection(bans, query({ scopes: "Ip" })))).toEqual([1]);
    expect(ids(streamSelection(bans, query({ origins: "analyst:alice" })))).toEqual([2]);
    expect(ids(streamSelection(bans, query({ scenarios_containing: "BRUTE" })))).toEqual([1, 3]);
    expect(ids(streamSelection(bans, query({ scenarios_not_containing: "brute,nothing" })))).toEqual([2]);
    expect(streamQuerySchema.safeParse({ startup: "yes" }).success).toBe(false);
  });

  it("answers ?ip= with the bans covering the address, ?range= with those covering (or, contains=false, inside) the block", () => {
    const query = (q: Record<string, string>) => decisionsQuerySchema.parse(q);
    expect(ids(decisionsSelection(bans, query({ ip: "198.51.100.9" })))).toEqual([2]);
    expect(ids(decisionsSelection(bans, query({ ip: "203.0.113.7" })))).toEqual([1]);
    expect(ids(decisionsSelection(bans, query({ ip: "192.0.2.1" })))).toEqual([]);
    expect(ids(decisionsSelection(bans, query({ range: "198.51.100.128/25" })))).toEqual([2]);
    expect(ids(decisionsSelection(bans, query({ range: "203.0.0.0/16", contains: "false" })))).toEqual([1]);
    expect(ids(decisionsSelection(bans, query({ scope: "ip", value: "2001:db8::5" })))).toEqual([]);
    expect(ids(decisionsSelection(bans, query({ type: "captcha" })))).toEqual([]);
    expect(ids(decisionsSelection(bans, query({})))).toEqual([1, 2, 3]);
    expect(decisionsQuerySchema.safeParse({ ip: "not-an-ip" }).error?.issues[0]?.message).toBe(
      "not an IPv4/IPv6 address",
    );
  });
});
