import { describe } from "vitest";
import { countersContract } from "./counters.contract.ts";
import { createMemoryCounters } from "./memory-counters.ts";

describe("in-memory counters", () => {
  countersContract(async () => createMemoryCounters());
});
