import { describe } from "vitest";
import { missingInfra, realInfra, uniqueName } from "../testing/infra.ts";
import { createMemoryIncidentTracker } from "./incident-tracker.ts";
import { CONTRACT_POLICY, incidentTrackerContract } from "./incident-tracker.contract.ts";
import { createRedisIncidentTracker } from "./redis-incident-tracker.ts";

describe("in-memory incident tracker", () => {
  // One tracker shared by the "replicas", as they share one process in the embedded default.
  const shared = createMemoryIncidentTracker(CONTRACT_POLICY);
  incidentTrackerContract(async () => shared);
});

describe.skipIf(missingInfra("redisUrl"))("Redis incident tracker on a real server", () => {
  const keyPrefix = `${uniqueName("incidents")}:`;
  incidentTrackerContract(async () =>
    createRedisIncidentTracker({ url: realInfra.redisUrl ?? "", keyPrefix, policy: CONTRACT_POLICY }),
  );
});
