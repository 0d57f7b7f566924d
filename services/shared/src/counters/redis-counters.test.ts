import { describe } from "vitest";
import { missingInfra, realInfra, uniqueName } from "../testing/infra.ts";
import { countersContract } from "./counters.contract.ts";
import { createRedisCounters } from "./redis-counters.ts";

describe.skipIf(missingInfra("redisUrl"))("Redis counters on a real server", () => {
  countersContract(async () => createRedisCounters({ url: realInfra.redisUrl ?? "", keyPrefix: `${uniqueName("contract")}:` }));
});
