import { describe, expect, it } from "vitest";
import {
  partitionLag,
  recommendedReplicas,
  stabilizedReplicas,
  type AutoscalingPolicy,
  type PartitionLagReading,
} from "./lag-to-replicas.ts";

const policy: AutoscalingPolicy = {
  minReplicas: 1,
  maxReplicas: 10,
  lagThreshold: 100,
  scaleDownStabilizationSeconds: 300,
  offsetResetPolicy: "earliest",
};
const partitions = (...lags: (number | null)[]): PartitionLagReading[] =>
  lags.map((lag, partition) => ({ partition, endOffset: 1_000, committedOffset: lag === null ? null : 1_000 - lag }));

describe("lag → replicas (KEDA Kafka scaler semantics)", () => {
  it.each([
    ["no lag keeps the minimum", partitions(0, 0, 0, 0, 0, 0), policy, 1],
    ["ceil(total / threshold)", partitions(120, 80, 50, 0, 0, 0), policy, 3],
    ["never more replicas than partitions", partitions(900, 900, 900), policy, 3],
    ["never more than max", partitions(900, 900, 900, 900, 900, 900), { ...policy, maxReplicas: 4 }, 4],
    ["never fewer than min", partitions(0, 0), { ...policy, minReplicas: 2 }, 2],
    ["no committed offset, earliest: the whole partition is lag", partitions(null, 0, 0, 0, 0, 0), policy, 6],
    [
      "no committed offset, latest: nothing to catch up",
      partitions(null, 0, 0, 0, 0, 0),
      { ...policy, offsetResetPolicy: "latest" as const },
      1,
    ],
  ])("%s", (_, readings, p, expected) => {
    expect(recommendedReplicas(readings, p).replicas).toBe(expected);
  });

  it("reports the total lag it decided on", () => {
    expect(recommendedReplicas(partitions(120, 80, null), policy)).toEqual({ totalLag: 1_200, replicas: 3 });
    expect(partitionLag({ partition: 0, endOffset: 5, committedOffset: 9 }, policy)).toBe(0);
  });
});

describe("stabilization", () => {
  it("scales up at once and down only after the window", () => {
    let history: { atSeconds: number; replicas: number }[] = [];
    const step = (now: number, recommendation: number): number => {
      const decision = stabilizedReplicas(history, recommendation, now, policy);
      history = decision.history;
      return decision.replicas;
    };
    expect(step(0, 2)).toBe(2);
    expect(step(10, 6)).toBe(6);
    expect(step(20, 1)).toBe(6);
    expect(step(309, 1)).toBe(6);
    expect(step(311, 1)).toBe(1);
  });
});
