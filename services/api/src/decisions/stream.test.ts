import { describe, expect, it } from "vitest";
import type { Ban } from "./ban.ts";
import { streamDiff } from "./stream.ts";

const ban = (id: number, ip: string): Ban => ({
  id,
  ip,
  scope: "Ip",
  reason: "r",
  origin: "rule:brute_force",
  alert_id: null,
  created_at: 0,
  expires_at: 10_000,
});
const ids = (bans: Ban[]): number[] => bans.map((b) => b.id);

describe("the bouncer stream, per bouncer", () => {
  const a = ban(1, "203.0.113.1");
  const b = ban(2, "203.0.113.2");
  const c = ban(3, "203.0.113.3");

  it("sends a bouncer never seen everything, and nothing deleted", () => {
    const answer = streamDiff(null, [a, b], false);
    expect([ids(answer.new), ids(answer.deleted), ids(answer.view), answer.changed]).toEqual([
      [1, 2],
      [],
      [1, 2],
      true,
    ]);
    expect(streamDiff(null, [], false).changed).toBe(true);
  });

  it("then sends only what changed: bans made since, and bans ended (expired, lifted, whitelisted) since", () => {
    const answer = streamDiff([a, b], [b, c], false);
    expect([ids(answer.new), ids(answer.deleted), ids(answer.view)]).toEqual([[3], [1], [2, 3]]);
    expect(answer.changed).toBe(true);
    // Most pulls: nothing to send, and a view that need not be written again.
    expect(streamDiff(answer.view, [b, c], false)).toEqual({ new: [], deleted: [], view: [b, c], changed: false });
    expect(streamDiff([b, c], [b, c], true)).toMatchObject({ new: [b, c], deleted: [], changed: false });
  });

  it("keeps each bouncer's own pace: one that missed pulls still gets every change at its next", () => {
    const stayedAway = streamDiff([a], [c], false);
    expect([ids(stayedAway.new), ids(stayedAway.deleted)]).toEqual([[3], [1]]);
  });

  it("on startup sends every ban as new, and as deleted what its last view held that ended", () => {
    const answer = streamDiff([a, b], [b, c], true);
    expect([ids(answer.new), ids(answer.deleted)]).toEqual([[2, 3], [1]]);
  });

  it("never deletes an address a newer ban still covers (a ban replaced by a longer one)", () => {
    const longer = ban(4, "203.0.113.1");
    const answer = streamDiff([a, b], [b, longer], false);
    expect([ids(answer.new), ids(answer.deleted), ids(answer.view), answer.changed]).toEqual([[4], [], [2, 4], true]);
  });
});
