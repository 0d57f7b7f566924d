import { describe, expect, it } from "vitest";
import {
  banDuration,
  banTargetOf,
  enforceable,
  goDuration,
  parseDuration,
  supersedes,
  whitelistConflict,
  type Ban,
} from "./ban.ts";
import { parseTarget, type Target } from "./target.ts";

const ban = (id: number, ip: string, expires_at: number): Ban => ({
  id,
  ip,
  scope: ip.includes("/") ? "Range" : "Ip",
  reason: "r",
  origin: "rule:brute_force",
  alert_id: null,
  created_at: 0,
  expires_at,
});
const target = (text: string): Target => {
  const parsed = parseTarget(text);
  if (parsed === null) throw new Error(`not a target: ${text}`);
  return parsed;
};
const problemOf = (text: string): string | null => {
  const checked = banTargetOf(text);
  return "problem" in checked ? checked.problem : null;
};

describe("what may be banned", () => {
  it("takes addresses and blocks up to /16 (IPv4) and /48 (IPv6)", () => {
    expect(["203.0.113.7", "198.51.0.0/16", "2001:db8::/48", "2001:db8::7"].map(problemOf)).toEqual([
      null,
      null,
      null,
      null,
    ]);
    expect(problemOf("198.0.0.0/15")).toBe("a /15 block is too broad to ban (at most /16 for IPv4)");
    expect(problemOf("2001:db8::/47")).toBe("a /47 block is too broad to ban (at most /48 for IPv6)");
    expect(problemOf("0.0.0.0/0")).toMatch(/too broad/);
  });

  it("never bans the host's loopback or the unspecified address", () => {
    expect(problemOf("127.0.0.1")).toBe(
      "127.0.0.1 is in 127.0.0.0/8, which is never banned: enforcers would cut the host off from itself",
    );
    expect(problemOf("::1")).toMatch(/never banned/);
    expect(problemOf("0.0.0.0")).toMatch(/never banned/);
    expect(problemOf("not-an-ip")).toMatch(/not an IPv4\/IPv6 address or CIDR block/);
  });

  it("finds the whitelist entry a target overlaps: the address itself, a block holding it, or one inside the banned block", () => {
    expect(whitelistConflict(target("10.0.0.1"), ["10.0.0.1"])).toBe("10.0.0.1");
    expect(whitelistConflict(target("10.1.2.3"), ["192.168.1.1", "10.0.0.0/8"])).toBe("10.0.0.0/8");
    expect(whitelistConflict(target("192.168.0.0/16"), ["192.168.1.1"])).toBe("192.168.1.1");
    expect(whitelistConflict(target("2001:db8::/48"), ["2001:db8::1"])).toBe("2001:db8::1");
    expect(whitelistConflict(target("203.0.113.7"), ["10.0.0.0/8", "2001:db8::/32"])).toBeNull();
  });
});

describe("bans over time", () => {
  it("lets the longer of two bans on one target stand, and an expired one give way", () => {
    const current = ban(1, "203.0.113.7", 2_000);
    const asking = (expires_at: number) => ({ ...ban(0, "203.0.113.7", expires_at) });
    expect(supersedes(asking(1_500), current, 1_000)).toBe(false);
    expect(supersedes(asking(2_000), current, 1_000)).toBe(false);
    expect(supersedes(asking(2_001), current, 1_000)).toBe(true);
    expect(supersedes(asking(1_500), current, 2_000)).toBe(true);
    expect(supersedes(asking(1_500), null, 1_000)).toBe(true);
  });

  it("enforces bans until they expire, and not while the whitelist covers them", () => {
    const bans = [ban(1, "203.0.113.7", 2_000), ban(2, "198.51.100.0/24", 3_000), ban(3, "192.0.2.9", 1_000)];
    expect(enforceable(bans, [], 1_000).map((b) => b.id)).toEqual([1, 2]);
    expect(enforceable(bans, [], 1_999).map((b) => b.id)).toEqual([1, 2]);
    expect(enforceable(bans, [], 2_000).map((b) => b.id)).toEqual([2]);
    // An entry added after the ban lifts it at the enforcers.
    expect(enforceable(bans, ["198.51.100.77"], 1_000).map((b) => b.id)).toEqual([1]);
  });
});

describe("durations", () => {
  it("prints seconds as Go's time.Duration does, which bouncers parse", () => {
    expect([14_390, 3_600, 60, 59, 0, -5, -3_725, 2_592_000, 12.9].map(goDuration)).toEqual([
      "3h59m50s",
      "1h0m0s",
      "1m0s",
      "59s",
      "0s",
      "-5s",
      "-1h2m5s",
      "720h0m0s",
      "12s",
    ]);
  });

  it("reads 4h, 1h30m, 90s and 2d; refuses anything else", () => {
    expect(["4h", "1h30m", "90s", "2d", "1d12h", "15m"].map(parseDuration)).toEqual([
      14_400, 5_400, 90, 172_800, 129_600, 900,
    ]);
    expect(["", "4", "h", "4 hours", "-4h", "1.5h", "4H"].map(parseDuration)).toEqual(Array(7).fill(null));
  });

  it("holds a ban between a minute and 30 days at the edge", () => {
    expect(banDuration.parse("4h")).toBe(14_400);
    expect(banDuration.parse(600)).toBe(600);
    expect(banDuration.safeParse("59s").error?.issues[0]?.message).toBe("a ban lasts from 1m0s to 30 days");
    expect(banDuration.safeParse("31d").success).toBe(false);
    expect(banDuration.safeParse("soon").error?.issues[0]?.message).toBe(
      "expected seconds or a duration such as 4h, 30m, 1h30m, 2d",
    );
  });
});
