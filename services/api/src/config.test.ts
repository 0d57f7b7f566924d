import { describe, expect, it } from "vitest";
import { DEFAULT_PIPELINE_GROUPS } from "@soc/shared";
import { parseApiEnv } from "./config.ts";

describe("API configuration", () => {
  it("reads the worker group whose lag GET /pipeline reports, defaulting to the worker's own default", () => {
    expect(parseApiEnv({}).WORKER_GROUP_ID).toBe(DEFAULT_PIPELINE_GROUPS.worker);
    expect(parseApiEnv({ WORKER_GROUP_ID: "shop-workers" }).WORKER_GROUP_ID).toBe("shop-workers");
  });
});
