import { describe, expect, it } from "vitest";
import type { KubeObject } from "./client.ts";
import { containsFields, isUpToDate, withAppliedHash } from "./up-to-date.ts";

const desired = withAppliedHash({
  apiVersion: "v1",
  kind: "Service",
  metadata: { name: "a", labels: { x: "1" } },
  spec: { ports: [{ port: 80, name: "http" }] },
} as KubeObject);
/** What the API server returns: our fields plus its own (defaults, status, bookkeeping). */
const live = (): KubeObject => ({
  ...structuredClone(desired),
  metadata: { ...structuredClone(desired.metadata), uid: "u", resourceVersion: "9" },
  spec: { ports: [{ port: 80, name: "http", protocol: "TCP", targetPort: 80 }], clusterIP: "10.0.0.9" },
});

describe("isUpToDate", () => {
  it("holds for the live object the server made of exactly this desired object", () => {
    expect(isUpToDate(desired, live())).toBe(true);
  });

  it.each([
    ["it does not exist", () => undefined],
    ["someone edited a field we set", () => ({ ...live(), spec: { ports: [{ port: 81, name: "http" }] } })],
    ["someone removed a label we set", () => ({ ...live(), metadata: { ...live().metadata, labels: {} } })],
    [
      "it was applied from another desired state",
      () => ({ ...live(), metadata: { ...live().metadata, annotations: { "socpipeline.io/applied-hash": "old" } } }),
    ],
    [
      "it is being deleted",
      () => ({ ...live(), metadata: { ...live().metadata, deletionTimestamp: "2026-01-01T00:00:00Z" } }),
    ],
  ])("does not hold when %s", (_, make) => {
    expect(isUpToDate(desired, make())).toBe(false);
  });

  it("changes the hash when the desired object changes", () => {
    const other = withAppliedHash({ ...desired, metadata: { name: "a", labels: { x: "2" } } } as KubeObject);
    expect(other.metadata.annotations?.["socpipeline.io/applied-hash"]).not.toBe(
      desired.metadata.annotations?.["socpipeline.io/applied-hash"],
    );
  });
});

describe("containsFields", () => {
  it.each([
    [{ a: 1, b: 2 }, { a: 1 }, true],
    [{ a: 1 }, { a: 1, b: 2 }, false],
    [[{ a: 1, z: 0 }], [{ a: 1 }], true],
    [[{ a: 1 }, { a: 2 }], [{ a: 1 }], false],
    ["x", "x", true],
    [null, {}, false],
  ])("%j contains %j: %s", (actual, wanted, result) => {
    expect(containsFields(actual, wanted)).toBe(result);
  });
});
