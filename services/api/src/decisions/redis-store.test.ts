import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Secret } from "@soc/shared";
import { missingInfra, realInfra, uniqueName } from "@soc/shared/testing";
import { banRequest, decisionStoreContract } from "./decision-store.contract.ts";
import { createRedisDecisionStore } from "./redis-store.ts";

const url = realInfra.redisUrl ?? "";
const NOW = Math.floor(Date.now() / 1000);

describe.skipIf(missingInfra("redisUrl"))("Redis bans on a real server", () => {
  decisionStoreContract(async () => createRedisDecisionStore({ url, keyPrefix: `${uniqueName("bans")}:` }));

  let raw: Redis;
  beforeAll(() => {
    raw = new Redis(url);
  });
  afterAll(() => {
    raw.disconnect();
  });

  it("refuses to run without a key prefix", () => {
    expect(() => createRedisDecisionStore({ url, keyPrefix: "" })).toThrow(/prefix/);
  });

  it("puts a TTL on every key it writes, the ban's own ending with the ban", async () => {
    const prefix = `${uniqueName("ttl")}:`;
    const store = createRedisDecisionStore({ url, keyPrefix: prefix });
    try {
      const { ban } = await store.ban(banRequest("203.0.113.20", NOW + 3600), NOW);
      await store.ban(banRequest("203.0.113.0/24", NOW + 7200), NOW);
      await store.saveBouncerView("edge", [ban]);
      const keys = await raw.keys(`${prefix}*`);
      expect(keys.sort()).toEqual([
        `${prefix}ban:203.0.113.0/24`,
        `${prefix}ban:203.0.113.20`,
        `${prefix}bans`,
        `${prefix}bans:last-id`,
        `${prefix}bouncer:edge`,
      ]);
      const ttls = Object.fromEntries(
        await Promise.all(keys.map(async (key) => [key.slice(prefix.length), await raw.ttl(key)] as const)),
      );
      expect(Object.values(ttls).every((ttl) => ttl > 0)).toBe(true);
      expect(ttls["ban:203.0.113.20"]).toBeGreaterThan(3590);
      expect(ttls["ban:203.0.113.20"]).toBeLessThanOrEqual(3600);
      // The index lives as long as its longest ban.
      expect(ttls.bans).toBeGreaterThan(7190);
      expect(ttls.bans).toBeLessThanOrEqual(7200);
    } finally {
      await store.close();
    }
  });

  it("shares bans between replicas and keeps two pipelines' bans apart on one Redis", async () => {
    const tenant = uniqueName("pipeline");
    const a1 = createRedisDecisionStore({ url, keyPrefix: `soc:${tenant}/a:` });
    const a2 = createRedisDecisionStore({ url, keyPrefix: `soc:${tenant}/a:` });
    const b = createRedisDecisionStore({ url, keyPrefix: `soc:${tenant}/b:` });
    try {
      await a1.ban(banRequest("198.51.100.30", NOW + 600), NOW);
      expect((await a2.active(NOW)).map((ban) => ban.ip)).toEqual(["198.51.100.30"]);
      expect(await b.active(NOW)).toEqual([]);
    } finally {
      await Promise.all([a1, a2, b].map((store) => store.close()));
    }
  });
});

describe.skipIf(missingInfra("redisUrl"))("Redis bans under the ACL docs/kubernetes.md gives the API", () => {
  const user = uniqueName("soc-api-acl");
  const password = `pw-${uniqueName("p")}`;
  const prefix = `soc:${uniqueName("ns")}/shop:`;
  let raw: Redis;
  beforeAll(async () => {
    raw = new Redis(url);
    const doc = readFileSync(join(import.meta.dirname, "..", "..", "..", "..", "docs", "kubernetes.md"), "utf8");
    const line = doc.split("\n").find((text) => text.startsWith("ACL SETUSER soc-api on "));
    if (line === undefined) throw new Error("docs/kubernetes.md has no ACL line for soc-api");
    const rules = line
      .replace("ACL SETUSER soc-api ", "")
      .replace(">PASSWORD", `>${password}`)
      .replaceAll("soc:<namespace>/<pipeline>:", prefix)
      .split(" ");
    await raw.call("ACL", "SETUSER", user, ...rules);
  });
  afterAll(async () => {
    await raw.call("ACL", "DELUSER", user);
    raw.disconnect();
  });

  decisionStoreContract(async () =>
    createRedisDecisionStore({ url, username: user, password: new Secret(password), keyPrefix: prefix }),
  );
});
