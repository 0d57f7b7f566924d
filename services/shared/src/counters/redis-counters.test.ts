import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { missingInfra, realInfra, uniqueName } from "../testing/infra.ts";
import { countersContract } from "./counters.contract.ts";
import { createRedisCounters } from "./redis-counters.ts";

const url = realInfra.redisUrl ?? "";
const window = { windowSeconds: 300, threshold: 5 };
const failures = (ip: string, times: number[]) => times.map((t) => ({ ip, timeSeconds: t, eventId: `${ip}-${t}` }));

describe.skipIf(missingInfra("redisUrl"))("Redis counters on a real server", () => {
  countersContract(async () => createRedisCounters({ url, keyPrefix: `${uniqueName("contract")}:` }));

  let raw: Redis;
  beforeAll(() => {
    raw = new Redis(url);
  });
  const opened: { close(): Promise<void> }[] = [];
  const counters = (keyPrefix: string) => {
    const c = createRedisCounters({ url, keyPrefix });
    opened.push(c);
    return c;
  };
  afterAll(async () => {
    await Promise.all(opened.map((c) => c.close()));
    raw.disconnect();
  });
  const keysOf = async (prefix: string): Promise<string[]> => {
    const keys: string[] = [];
    for await (const batch of raw.scanStream({ match: `${prefix}*`, count: 1_000 }) as AsyncIterable<string[]>)
      keys.push(...batch);
    return keys;
  };

  it("refuses to run without a key prefix", () => {
    expect(() => createRedisCounters({ url, keyPrefix: "" })).toThrow(/prefix/);
  });

  it("puts a TTL on every key it writes, whatever the window", async () => {
    const prefix = `${uniqueName("ttl")}:`;
    const c = counters(prefix);
    await c.recordFailures(failures("198.51.100.1", [1_000, 1_010]), window);
    await c.recordFailures(failures("198.51.100.2", [1_000, 1_001, 1_002, 1_003, 1_004, 1_005]), window);
    // A fractional window made EXPIRE fail after ZADD: the key then never expired.
    await c.recordFailures(failures("198.51.100.3", [1_000]), { windowSeconds: 0.5, threshold: 5 });
    await c.recordRequests(
      [0, 60, 61, 180, 7_200].map((offset) => ({ key: "endpoint:/login", timeSeconds: 60_000_000 + offset })),
      60,
    );
    await c.recordRequests([{ key: "ip:198.51.100.1", timeSeconds: 1_000 }], 1);
    const keys = await keysOf(prefix);
    expect(keys.length).toBeGreaterThanOrEqual(4);
    const ttls = await Promise.all(keys.map(async (key) => ({ key, ttl: await raw.ttl(key) })));
    expect(ttls.filter(({ ttl }) => ttl <= 0)).toEqual([]);
  });

  it("keeps failed_logins:<ip> as the sorted set docs/messages.md describes: event ids scored by time, a redelivery once", async () => {
    const prefix = `${uniqueName("doc")}:`;
    const ip = "198.51.100.10";
    await counters(prefix).recordFailures([...failures(ip, [1_000, 1_060]), ...failures(ip, [1_060])], window);
    const key = `${prefix}failed_logins:${ip}`;
    expect(await raw.type(key)).toBe("zset");
    expect(await raw.zcard(key)).toBe(2);
    expect(await raw.zrange(key, 0, -1, "WITHSCORES")).toEqual([`${ip}-1000`, "1000", `${ip}-1060`, "1060"]);
    const doc = readFileSync(join(import.meta.dirname, "..", "..", "..", "..", "docs", "messages.md"), "utf8");
    expect(doc).toContain("## `failed_logins:<ip>` (Redis)");
    for (const command of ["REDIS_KEY_PREFIX", "sorted set", "ZCARD <key>", "ZRANGE <key> 0 -1 WITHSCORES"])
      expect(doc).toContain(command);
  });

  it("keeps two pipelines' windows apart on one Redis: neither sees nor resets the other's failures", async () => {
    const tenant = uniqueName("pipeline");
    const a = counters(`soc:${tenant}/a:`);
    const b = counters(`soc:${tenant}/b:`);
    const ip = "203.0.113.7";
    expect((await a.recordFailures(failures(ip, [1_000, 1_001, 1_002, 1_003]), window)).map((r) => r.count)).toEqual([
      1, 2, 3, 4,
    ]);
    expect((await b.recordFailures(failures(ip, [1_000, 1_001, 1_002, 1_003]), window)).map((r) => r.count)).toEqual([
      1, 2, 3, 4,
    ]);
    expect(await a.recordFailures(failures(ip, [1_004]), window)).toMatchObject([{ count: 5, triggered: true }]);
    expect(await b.recordFailures(failures(ip, [1_005]), window)).toMatchObject([{ count: 5, triggered: true }]);
  });

  it("bounds the minutes one rate key holds when a client sends many distinct future times", async () => {
    const prefix = `${uniqueName("minutes")}:`;
    const c = counters(prefix);
    // Newest first, so none is older than the baseline of the one after it.
    const times = Array.from({ length: 500 }, (_, i) => ({
      key: "ip:198.51.100.9",
      timeSeconds: 60 * (5_000_000 - i),
    }));
    await c.recordRequests(times, 60);
    // 2 × 60 + 2 minute counts at most, plus five bookkeeping fields.
    expect(await raw.hlen(`${prefix}rate:ip:198.51.100.9`)).toBeLessThanOrEqual(127);
  });
});
