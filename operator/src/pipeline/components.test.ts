import { describe, expect, it } from "vitest";
import { detectionConfigOf, parseWorkerEnv } from "@soc/worker";
import { socPipelineObject, type SocPipeline } from "../api/v1alpha1/index.ts";
import { components, type Component } from "./components.ts";

/** A pipeline as the API server returns it: parsed with the schema, so every default is filled in. */
function pipeline(spec: Record<string, unknown> = {}): SocPipeline {
  return socPipelineObject.parse({
    apiVersion: "socpipeline.io/v1alpha1",
    kind: "SocPipeline",
    metadata: { name: "shop", namespace: "soc", uid: "uid-1", generation: 1, resourceVersion: "1" },
    spec: { kafka: { brokers: ["kafka:9092"] }, api: { apiKeysSecretRef: { name: "keys", key: "api" } }, ...spec },
  });
}

const envOf = (list: Component[], name: string): Record<string, string> => Object.fromEntries((list.find((c) => c.name === name)?.env ?? []).map((e) => [e.name, e.value]));

describe("components", () => {
  it("tells the API the workers' group, so GET /pipeline reports their lag", () => {
    const list = components(pipeline({ worker: { groupId: "shop-workers" } }));
    expect(envOf(list, "worker").WORKER_GROUP_ID).toBe("shop-workers");
    expect(envOf(list, "api").WORKER_GROUP_ID).toBe("shop-workers");
  });

  it("gives the worker and the alerter Redis key prefixes of their own pipeline, so pipelines can share a Redis", () => {
    const list = components(pipeline());
    expect(envOf(list, "worker").REDIS_KEY_PREFIX).toBe("soc:soc/shop:");
    expect(envOf(list, "alerter").REDIS_KEY_PREFIX).toBe("soc-alerter:soc/shop:");
  });

  it("gives the worker of a default pipeline the worker's own detection defaults", () => {
    const rendered = detectionConfigOf(parseWorkerEnv(envOf(components(pipeline()), "worker")));
    expect(rendered).toEqual(detectionConfigOf(parseWorkerEnv({})));
  });

  it("passes every detection setting of the spec to the worker", () => {
    const detection = { keywords: ["panic"], bruteForceThreshold: 7, bruteForceWindowSeconds: 60, spikeBaselineMinutes: 15, spikeMinRequestsPerMinute: 10, spikeSigma: 2.5 };
    const rendered = detectionConfigOf(parseWorkerEnv(envOf(components(pipeline({ worker: { detection } })), "worker")));
    expect(rendered).toEqual({ keywords: ["panic"], bruteForce: { threshold: 7, windowSeconds: 60 }, spike: { baselineMinutes: 15, minRequestsPerMinute: 10, sigma: 2.5 } });
  });
});
