import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createMemoryBus } from "../bus/memory-bus.ts";
import { silentLogger } from "../logger.ts";
import { configUpdateSchema, deadLetterTopic, TOPICS } from "../messages.ts";
import { eventually } from "../testing/eventually.ts";
import { whitelistEntryProblem, whitelistSetting } from "./entry.ts";
import { followWhitelist, whitelistUpdateMessage } from "./replica.ts";

describe("one whitelist entry rule for the API, workers, config and operator", () => {
  it.each([
    ["10.0.0.1", null],
    ["10.0.0.0/8", null],
    ["2001:db8::/32", null],
    ["1.0.0.0/7", "too broad"],
    ["0.0.0.0/0", "too broad"],
    ["::/0", "too broad"],
    ["2001::/16", "too broad"],
    ["300.1.1.1", "not an IPv4/IPv6"],
    ["10.0.0.1/33", "not an IPv4/IPv6"],
    ["host.example", "not an IPv4/IPv6"],
  ])("%s: %s", (entry, problem) => {
    const found = whitelistEntryProblem(entry);
    if (problem === null) expect(found).toBeNull();
    else expect(found).toContain(problem);
  });

  it("accepts exactly the IPv4 blocks of /8 or narrower, for any address", () => {
    fc.assert(
      fc.property(fc.ipV4(), fc.integer({ min: 0, max: 32 }), (address, prefix) => {
        expect(whitelistEntryProblem(`${address}/${prefix}`) === null).toBe(prefix >= 8);
      }),
    );
  });

  it("never throws on arbitrary text", () => {
    fc.assert(fc.property(fc.string({ maxLength: 300 }), (text) => void whitelistEntryProblem(text)));
  });

  it("WHITELISTED_IPS is empty unless set, and refuses an entry the API would refuse", () => {
    expect(whitelistSetting.parse(undefined)).toEqual([]);
    expect(whitelistSetting.parse("10.0.0.0/8, 2001:db8::1")).toEqual(["10.0.0.0/8", "2001:db8::1"]);
    expect(whitelistSetting.safeParse("10.0.0.1,0.0.0.0/0").success).toBe(false);
  });

  it("a config-updates `add` of a too-broad block is refused; its `remove` is still accepted", () => {
    expect(configUpdateSchema.safeParse({ action: "add", ip: "0.0.0.0/0" }).success).toBe(false);
    expect(configUpdateSchema.safeParse({ action: "remove", ip: "0.0.0.0/0" }).success).toBe(true);
  });

  it("a replica never applies a forged `add 0.0.0.0/0` on config-updates: it is dead-lettered", async () => {
    const bus = createMemoryBus();
    await bus.publish(TOPICS.configUpdates, [
      whitelistUpdateMessage({ action: "add", ip: "203.0.113.0/24" }),
      { key: "0.0.0.0/0", value: JSON.stringify({ action: "add", ip: "0.0.0.0/0" }) },
    ]);
    const follower = await followWhitelist(bus, silentLogger());
    try {
      await eventually(async () => expect(follower.whitelist.entries()).toEqual(["203.0.113.0/24"]));
      expect(follower.whitelist.covers("198.51.100.1")).toBe(false);
      const dead: string[] = [];
      const dlq = await bus.follow(
        deadLetterTopic(TOPICS.configUpdates),
        (message) => void dead.push(message.value ?? ""),
      );
      await eventually(async () => expect(dead).toHaveLength(1));
      expect(dead[0]).toContain("0.0.0.0/0");
      await dlq.stop();
    } finally {
      await follower.subscription.stop();
    }
  });
});
