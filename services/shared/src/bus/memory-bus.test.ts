import { describe } from "vitest";
import { uniqueName } from "../testing/infra.ts";
import { busContract } from "./bus.contract.ts";
import { createMemoryBus } from "./memory-bus.ts";

describe("in-memory bus", () => {
  busContract(async () => ({ bus: createMemoryBus({ retryDelayMs: 10 }), createTopic: async (prefix) => uniqueName(prefix) }), 2_000);
});
