import { describe, expect, it } from "vitest";
import { socPipelineSpec } from "../api/v1alpha1/index.ts";
import { desiredLogsPartitions, partitionPlan, partitionsCondition } from "./partitions.ts";

const spec = (kafka: Record<string, unknown> = {}, worker: Record<string, unknown> = {}) =>
  socPipelineSpec.parse({
    kafka: { brokers: ["kafka:9092"], ...kafka },
    api: { apiKeysSecretRef: { name: "keys", key: "api" } },
    worker,
  });

describe("the logs topic's partitions", () => {
  it.each([
    ["today's 6 by default (autoscaling up to 6 workers)", spec(), 6],
    ["the spec's count when it is higher than the workers need", spec({ logsPartitions: 24 }), 24],
    [
      "the autoscaler's maxReplicas when that is higher: a worker per partition",
      spec({ logsPartitions: 6 }, { autoscaling: { maxReplicas: 10 } }),
      10,
    ],
    [
      "the fixed replicas when autoscaling is off",
      spec({ logsPartitions: 2 }, { replicas: 4, autoscaling: { enabled: false } }),
      4,
    ],
  ])("asks for %s", (_case, pipelineSpec, expected) => {
    expect(desiredLogsPartitions(pipelineSpec)).toBe(expected);
  });

  it("raises a topic with fewer, keeps one with as many, and never lowers one with more", () => {
    expect(partitionPlan(10, 6)).toEqual({ action: "raise", from: 6, to: 10 });
    expect(partitionPlan(6, 6)).toEqual({ action: "keep", partitions: 6, refused: false });
    expect(partitionPlan(3, 12)).toEqual({ action: "keep", partitions: 12, refused: true });
  });

  it("says in status why, and that a lower count cannot be had", () => {
    const asked = spec({ logsPartitions: 3 }, { autoscaling: { maxReplicas: 2 } });
    expect(partitionsCondition("logs", partitionPlan(3, 12), asked)).toEqual({
      type: "LogsPartitions",
      status: "False",
      reason: "CannotLower",
      message:
        "Topic logs keeps its 12 partitions although 3 are asked (spec.kafka.logsPartitions 3, at most 2 workers): Kafka cannot remove partitions; recreate the topic to lower them",
    });
    expect(
      partitionsCondition("logs", partitionPlan(10, 6), spec({}, { autoscaling: { maxReplicas: 10 } })),
    ).toMatchObject({ status: "True", reason: "Raised" });
    expect(partitionsCondition("logs", partitionPlan(6, 6), spec())).toMatchObject({
      status: "True",
      reason: "AsDesired",
      message: "Topic logs has 6 partitions (spec.kafka.logsPartitions 6, at most 6 workers)",
    });
  });
});
