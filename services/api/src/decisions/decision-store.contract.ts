/** The behaviour every DecisionStore must have; run against memory and real Redis. */
import { afterAll, expect, it } from "vitest";
import type { BanRequest } from "./ban.ts";
import type { DecisionStore } from "./store.ts";

const NOW = 1_800_000_000;

export const banRequest = (ip: string, expiresAt: number, overrides: Partial<BanRequest> = {}): BanRequest => ({
  ip,
  scope: ip.includes("/") ? "Range" : "Ip",
  reason: `test ban of ${ip}`,
  origin: "analyst:tester",
  alert_id: null,
  created_at: NOW,
  expires_at: expiresAt,
  ...overrides,
});

export function decisionStoreContract(makeStore: () => Promise<DecisionStore>): void {
  let store: DecisionStore | undefined;
  const ready = async (): Promise<DecisionStore> => (store ??= await makeStore());
  afterAll(async () => {
    await store?.close();
  });

  it("records a ban with a new, increasing id and lists it while it is in force", async () => {
    const s = await ready();
    const first = await s.ban(banRequest("203.0.113.1", NOW + 3600), NOW);
    const second = await s.ban(banRequest("2001:db8::/48", NOW + 60, { alert_id: "logs-0-7" }), NOW);
    expect([first.created, second.created]).toEqual([true, true]);
    expect(second.ban.id).toBeGreaterThan(first.ban.id);
    expect(second.ban).toEqual({
      id: second.ban.id,
      ...banRequest("2001:db8::/48", NOW + 60, { alert_id: "logs-0-7" }),
    });
    expect((await s.active(NOW)).map((ban) => ban.ip)).toEqual(["203.0.113.1", "2001:db8::/48"]);
    // Expiry is exact, in the caller's time.
    expect((await s.active(NOW + 60)).map((ban) => ban.ip)).toEqual(["203.0.113.1"]);
  });

  it("keeps the longer of two bans on one target: a repeat never shortens nor duplicates it", async () => {
    const s = await ready();
    const long = await s.ban(banRequest("198.51.100.2", NOW + 7200), NOW);
    const shorter = await s.ban(banRequest("198.51.100.2", NOW + 3600), NOW);
    expect(shorter).toEqual({ ban: long.ban, created: false });
    const longer = await s.ban(banRequest("198.51.100.2", NOW + 9000), NOW);
    expect(longer.created).toBe(true);
    expect(longer.ban.id).toBeGreaterThan(long.ban.id);
    expect((await s.active(NOW)).filter((ban) => ban.ip === "198.51.100.2")).toEqual([longer.ban]);
  });

  it("bans a target again once its ban has expired", async () => {
    const s = await ready();
    await s.ban(banRequest("198.51.100.3", NOW + 60), NOW);
    const again = await s.ban(banRequest("198.51.100.3", NOW + 600), NOW + 120);
    expect(again.created).toBe(true);
    expect((await s.active(NOW + 120)).filter((ban) => ban.ip === "198.51.100.3")).toEqual([again.ban]);
  });

  it("lifts a ban in force and answers it; nothing to lift answers null", async () => {
    const s = await ready();
    const { ban } = await s.ban(banRequest("198.51.100.4", NOW + 3600), NOW);
    expect(await s.lift("198.51.100.4", NOW)).toEqual(ban);
    expect(await s.lift("198.51.100.4", NOW)).toBeNull();
    expect((await s.active(NOW)).map((b) => b.ip)).not.toContain("198.51.100.4");
  });

  it("keeps each bouncer's view apart; a bouncer never seen has none", async () => {
    const s = await ready();
    const { ban } = await s.ban(banRequest("198.51.100.5", NOW + 3600), NOW);
    expect(await s.bouncerView("edge-a")).toBeNull();
    await s.saveBouncerView("edge-a", [ban]);
    await s.saveBouncerView("edge-b", []);
    expect(await s.bouncerView("edge-a")).toEqual([ban]);
    expect(await s.bouncerView("edge-b")).toEqual([]);
  });
}
