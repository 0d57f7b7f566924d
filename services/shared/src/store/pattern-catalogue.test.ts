import { Redis } from "ioredis";
import { afterAll, describe } from "vitest";
import { missingInfra, realInfra, uniqueName } from "../testing/infra.ts";
import { patternCatalogueContract } from "./pattern-catalogue.contract.ts";
import { createMemoryPatternCatalogue, createRedisPatternCatalogue } from "./pattern-catalogue.ts";

describe("in-memory pattern catalogue", () => {
  patternCatalogueContract(async (limits) => createMemoryPatternCatalogue(limits));
});

describe.skipIf(missingInfra("redisUrl"))("Redis pattern catalogue", () => {
  const redis = new Redis(realInfra.redisUrl ?? "");
  const prefixes: string[] = [];
  afterAll(async () => {
    for (const prefix of prefixes) {
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length > 0) await redis.del(...keys);
    }
    redis.disconnect();
  });
  patternCatalogueContract(async (limits) => {
    const prefix = `${uniqueName("catalogue")}:`;
    prefixes.push(prefix);
    return createRedisPatternCatalogue(redis, prefix, limits);
  });
});
