import { describe, expect, it } from "vitest";
import { socPipelineObject } from "../api/v1alpha1/index.ts";
import { pipelineStatus, type ComponentObservation, type ReconcileOutcome, type WorkloadState } from "./status.ts";

const pipeline = socPipelineObject.parse({
  apiVersion: "socpipeline.io/v1alpha1",
  kind: "SocPipeline",
  metadata: { name: "shop", namespace: "soc", uid: "u", generation: 4, resourceVersion: "1" },
  spec: { kafka: { brokers: ["kafka:9092"] }, api: { apiKeysSecretRef: { name: "k", key: "k" } } },
});
const now = new Date("2026-11-25T10:00:00Z");
const ready: WorkloadState = {
  generation: 2,
  observedGeneration: 2,
  desiredReplicas: 2,
  updatedReplicas: 2,
  readyReplicas: 2,
  availableReplicas: 2,
  failure: null,
};
const deployment = (name: string, workload: WorkloadState | null): ComponentObservation => ({
  name,
  kind: "Deployment",
  workload,
});
const outcome = (components: ComponentObservation[], extra: Partial<ReconcileOutcome> = {}): ReconcileOutcome => ({
  components,
  applyError: null,
  whitelistError: null,
  ...extra,
});
const conditions = (o: ReconcileOutcome) =>
  Object.fromEntries(
    (pipelineStatus(pipeline, o, now).conditions ?? []).map((c) => [c.type, `${c.status}:${c.reason}`]),
  );

describe("pipelineStatus", () => {
  it.each([
    {
      case: "everything ready",
      outcome: outcome([deployment("api", ready), deployment("worker", ready)]),
      expected: {
        Ready: "True:AllComponentsReady",
        Progressing: "False:RolloutComplete",
        Degraded: "False:AsExpected",
        Reconciling: "False:AllComponentsReady",
        Stalled: "False:AsExpected",
      },
    },
    {
      case: "a rollout in progress",
      outcome: outcome([deployment("api", { ...ready, generation: 3 }), deployment("worker", ready)]),
      expected: {
        Ready: "False:ComponentsNotReady",
        Progressing: "True:RollingOut",
        Degraded: "False:AsExpected",
        Reconciling: "True:ComponentsNotReady",
        Stalled: "False:AsExpected",
      },
    },
    {
      case: "a workload not created yet",
      outcome: outcome([deployment("api", null)]),
      expected: {
        Ready: "False:ComponentsNotReady",
        Progressing: "True:RollingOut",
        Degraded: "False:AsExpected",
        Reconciling: "True:ComponentsNotReady",
        Stalled: "False:AsExpected",
      },
    },
    {
      case: "a Deployment past its progress deadline",
      outcome: outcome([deployment("api", { ...ready, availableReplicas: 0, failure: "ProgressDeadlineExceeded" })]),
      expected: {
        Ready: "False:ComponentFailed",
        Progressing: "False:RolloutComplete",
        Degraded: "True:ComponentFailed",
        Reconciling: "False:ComponentFailed",
        Stalled: "True:ComponentFailed",
      },
    },
    {
      case: "an apply the API server refuses (permanent)",
      outcome: outcome([deployment("api", ready)], { applyError: { message: "Invalid", permanent: true } }),
      expected: {
        Ready: "False:ApplyFailed",
        Progressing: "False:RolloutComplete",
        Degraded: "True:ApplyFailed",
        Reconciling: "False:ApplyFailed",
        Stalled: "True:ApplyFailed",
      },
    },
    {
      case: "an apply that failed for now (retried)",
      outcome: outcome([deployment("api", ready)], { applyError: { message: "timeout", permanent: false } }),
      expected: {
        Ready: "False:ApplyFailed",
        Progressing: "False:RolloutComplete",
        Degraded: "True:ApplyFailed",
        Reconciling: "True:ApplyFailed",
        Stalled: "False:AsExpected",
      },
    },
    {
      case: "Kafka down for the whitelist",
      outcome: outcome([deployment("api", ready)], { whitelistError: "Kafka is unreachable" }),
      expected: {
        Ready: "False:WhitelistPublishFailed",
        Progressing: "False:RolloutComplete",
        Degraded: "True:WhitelistPublishFailed",
        Reconciling: "True:WhitelistPublishFailed",
        Stalled: "False:AsExpected",
      },
    },
  ])("$case", ({ outcome, expected }) => {
    expect(conditions(outcome)).toEqual(expected);
  });

  it("observes the generation, counts ready components and keeps transition times of unchanged conditions", () => {
    const first = pipelineStatus(
      pipeline,
      outcome([deployment("api", ready), deployment("worker", { ...ready, availableReplicas: 1 })]),
      now,
    );
    expect(first.observedGeneration).toBe(4);
    expect(first.readyComponents).toBe("1/2");
    const later = new Date("2026-11-25T10:05:00Z");
    const second = pipelineStatus(
      { ...pipeline, status: first },
      outcome([deployment("api", ready), deployment("worker", ready)]),
      later,
    );
    const time = (s: typeof first, type: string) => s.conditions?.find((c) => c.type === type)?.lastTransitionTime;
    expect(time(second, "Ready")).toBe("2026-11-25T10:05:00Z");
    expect(time(second, "Degraded")).toBe("2026-11-25T10:00:00Z");
  });
});
