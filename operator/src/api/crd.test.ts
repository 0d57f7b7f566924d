import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { crdFiles } from "./crd.ts";
import { socPipelineObject } from "./v1alpha1/index.ts";

const root = join(import.meta.dirname, "..", "..", "..");

describe("CustomResourceDefinitions", () => {
  it.each([...crdFiles().keys()])(
    "crds/%s and the operator chart's copy are what the TypeScript schemas generate",
    (name) => {
      const generated = crdFiles().get(name);
      expect(readFileSync(join(root, "crds", name), "utf8"), "run `npm run generate:crds -w @soc/operator`").toBe(
        generated,
      );
      expect(
        readFileSync(join(root, "charts", "soc-operator", "crds", name), "utf8"),
        "run `npm run generate:crds -w @soc/operator`",
      ).toBe(generated);
    },
  );

  it("are structural: no property of the spec lacks a type", () => {
    const untyped: string[] = [];
    const walk = (node: Record<string, unknown>, path: string): void => {
      if (!("type" in node) && !("x-kubernetes-preserve-unknown-fields" in node)) untyped.push(path);
      for (const [key, child] of Object.entries((node.properties ?? {}) as Record<string, Record<string, unknown>>))
        walk(child, `${path}.${key}`);
      if (node.items !== undefined) walk(node.items as Record<string, unknown>, `${path}[]`);
      if (typeof node.additionalProperties === "object")
        walk(node.additionalProperties as Record<string, unknown>, `${path}{}`);
    };
    for (const text of crdFiles().values()) {
      const crd = parse(text) as { spec: { versions: { schema: { openAPIV3Schema: Record<string, unknown> } }[] } };
      walk(crd.spec.versions[0]?.schema.openAPIV3Schema ?? {}, "");
    }
    expect(untyped).toEqual([]);
  });

  it("give the defaults the schema documents: a minimal SocPipeline parses to a complete spec", () => {
    const minimal = socPipelineObject.parse({
      apiVersion: "socpipeline.io/v1alpha1",
      kind: "SocPipeline",
      metadata: { name: "p", namespace: "n", uid: "u", resourceVersion: "1" },
      spec: { kafka: { brokers: ["k:9092"] }, api: { apiKeysSecretRef: { name: "s", key: "k" } } },
    });
    expect(minimal.spec.worker.autoscaling).toEqual({
      enabled: true,
      minReplicas: 1,
      maxReplicas: 6,
      lagThreshold: 1000,
      pollingIntervalSeconds: 5,
      scaleDownStabilizationSeconds: 300,
      offsetResetPolicy: "earliest",
    });
    expect(minimal.spec.kafka.topics).toEqual({
      logs: "logs",
      configUpdates: "config-updates",
      highPriorityAlerts: "high-priority-alerts",
    });
    expect(minimal.spec.elasticsearch).toEqual({ url: "http://elasticsearch:9200", index: "processed_logs" });
  });
});
