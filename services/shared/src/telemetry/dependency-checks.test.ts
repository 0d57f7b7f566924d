import { Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { registerDependencyProbes } from "./dependency-checks.ts";

describe("soc_dependency_up", () => {
  it("is 1 for a dependency that answers and 0 for one that fails, checked at each scrape", async () => {
    const registry = new Registry();
    let elasticsearchUp = true;
    registerDependencyProbes(registry, {
      kafka: async () => {},
      elasticsearch: async () => {
        if (!elasticsearchUp) throw new Error("connect ECONNREFUSED 10.0.0.7:9200");
      },
    });
    expect(await registry.metrics()).toContain('soc_dependency_up{dependency="elasticsearch"} 1');
    elasticsearchUp = false;
    const text = await registry.metrics();
    expect(text).toContain('soc_dependency_up{dependency="elasticsearch"} 0');
    expect(text).toContain('soc_dependency_up{dependency="kafka"} 1');
  });
});
