/**
 * The Redis client side of security, against a real TLS-only redis-server whose default user is
 * off and whose `soc` user may run only the counters' and delivery log's commands on soc:* keys
 * (scripts/infra/secure-backends.sh). Settings go environment (with *_FILE) → zod → connection → client.
 */
import { readFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { createRedisDeliveryLog } from "@soc/alerter";
import { checkRedisEnv, parseConfig, redisEnvShape } from "@soc/shared";
import { createRedisClient, createRedisCounters, pingRedis, redisConnectionOf } from "@soc/shared/redis";
import { countersContract, missingInfra, realInfra, uniqueName } from "@soc/shared/testing";

const schema = z.object(redisEnvShape).superRefine(checkRedisEnv);
const connectionFrom = (env: Record<string, string>) => redisConnectionOf(parseConfig(schema, env));
const secure = { REDIS_URL: realInfra.secureRedisUrl ?? "", REDIS_CA_FILE: realInfra.secureCaFile ?? "" };
const asSoc = {
  ...secure,
  REDIS_USERNAME: realInfra.secureRedisUsername ?? "",
  REDIS_PASSWORD_FILE: realInfra.secureRedisPasswordFile ?? "",
};
// The ACL allows soc:* keys only.
const prefix = () => `soc:${uniqueName("secure")}:`;

describe.skipIf(missingInfra("secureRedisUrl"))("Redis over TLS with an ACL user", () => {
  const opened: { close(): Promise<void> }[] = [];
  const counters = (env: Record<string, string>, keyPrefix = prefix()) => {
    const c = createRedisCounters({ ...connectionFrom(env), keyPrefix });
    opened.push(c);
    return c;
  };
  afterAll(async () => {
    await Promise.all(opened.map((c) => c.close()));
  });

  describe("counters over rediss:// as user soc", () => {
    countersContract(async () => createRedisCounters({ ...connectionFrom(asSoc), keyPrefix: prefix() }));
  });

  it("takes the user and password from the URL as well", async () => {
    const password = readFileSync(realInfra.secureRedisPasswordFile ?? "", "utf8").trim();
    const url = new URL(secure.REDIS_URL);
    url.username = "soc";
    url.password = password;
    await expect(counters({ ...secure, REDIS_URL: url.toString() }).ping()).resolves.toBeUndefined();
  });

  it("keeps the alerter's delivery log over TLS", async () => {
    const log = createRedisDeliveryLog(connectionFrom(asSoc), 60, prefix());
    opened.push(log);
    await log.record("n1", "slack#1", "delivered");
    expect(await log.settled("n1", "slack#1")).toBe(true);
  });

  it("refuses the default user (no credentials), naming the settings", async () => {
    await expect(counters(secure).ping()).rejects.toThrow(
      /requires authentication: set REDIS_USERNAME and REDIS_PASSWORD/,
    );
  });

  it("refuses a wrong password", async () => {
    await expect(
      counters({ ...secure, REDIS_USERNAME: "soc", REDIS_PASSWORD: "not-the-password" }).ping(),
    ).rejects.toThrow(/refused user soc/);
  });

  it("refuses a server whose certificate another CA signed, naming REDIS_CA_FILE", async () => {
    await expect(counters({ ...asSoc, REDIS_CA_FILE: realInfra.untrustedCaFile ?? "" }).ping()).rejects.toThrow(
      /TLS certificate not trusted \(.+\); set REDIS_CA_FILE/,
    );
  });

  it("has no plain-text port: redis:// to the TLS port never gets an answer", async () => {
    const plain = createRedisClient(
      connectionFrom({ ...asSoc, REDIS_URL: secure.REDIS_URL.replace("rediss:", "redis:"), REDIS_CA_FILE: "" }),
      { maxRetriesPerRequest: 1 },
    );
    await expect(plain.ping()).rejects.toThrow();
    plain.disconnect();
  });

  it("limits user soc to its keys and commands", async () => {
    const outside = counters(asSoc, `other:${uniqueName("x")}:`);
    await expect(
      outside.recordFailures([{ ip: "198.51.100.1", timeSeconds: 1_000, eventId: "e" }], {
        windowSeconds: 60,
        threshold: 5,
      }),
    ).rejects.toThrow(/NOPERM/);
    const raw = createRedisClient(connectionFrom(asSoc), { maxRetriesPerRequest: 1 });
    await expect(raw.flushall()).rejects.toThrow(/NOPERM/);
    await expect(raw.config("GET", "requirepass")).rejects.toThrow(/NOPERM/);
    await expect(raw.keys("*")).rejects.toThrow(/NOPERM/);
    raw.disconnect();
  });
});

describe.skipIf(missingInfra("secureRedisUrl"))("the API's readiness check on the secured Redis", () => {
  it("reports why Redis is not ready", async () => {
    const connection = connectionFrom(secure);
    const redis = createRedisClient(connection, { lazyConnect: true, maxRetriesPerRequest: 1 });
    await expect(pingRedis(redis, connection)).rejects.toThrow(/requires authentication/);
    redis.disconnect();
  });
});
