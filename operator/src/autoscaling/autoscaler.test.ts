import { describe, expect, it } from "vitest";
import type { PartitionLag } from "@soc/shared";
import { WorkerAutoscaler, type AutoscalerReading } from "./autoscaler.ts";

const policy = {
  minReplicas: 1,
  maxReplicas: 6,
  lagThreshold: 100,
  scaleDownStabilizationSeconds: 60,
  offsetResetPolicy: "earliest" as const,
};
const lagOf = (total: number): PartitionLag[] =>
  [0, 1, 2, 3, 4, 5].map((partition) => ({
    topic: "logs",
    partition,
    endOffset: total / 6,
    committedOffset: 0,
    lag: total / 6,
  }));

function harness(initialReplicas: number) {
  let replicas = initialReplicas;
  let lag = 0;
  let clock = 0;
  const writes: number[] = [];
  const reports: AutoscalerReading[] = [];
  const autoscaler = new WorkerAutoscaler(
    {
      lag: async () => lagOf(lag),
      currentReplicas: async () => replicas,
      scale: async (n) => void writes.push((replicas = n)),
      report: async (r) => void reports.push(r),
    },
    { policy, pollingIntervalSeconds: 5, onError: () => {}, now: () => new Date(clock * 1000) },
  );
  return { autoscaler, writes, reports, setLag: (n: number) => (lag = n), at: (s: number) => (clock = s) };
}

describe("WorkerAutoscaler", () => {
  it("scales up on the poll that sees the lag, and writes nothing while nothing changes", async () => {
    const h = harness(1);
    h.setLag(0);
    await h.autoscaler.poll();
    h.at(5);
    h.setLag(420);
    await h.autoscaler.poll();
    h.at(10);
    await h.autoscaler.poll();
    expect(h.writes).toEqual([5]);
    expect(h.reports.map((r) => [r.totalLag, r.desiredReplicas, r.scaledFrom])).toEqual([
      [0, 1, null],
      [420, 5, 1],
      [420, 5, null],
    ]);
  });

  it("as a new leader, waits a whole window before scaling down what it found", async () => {
    const h = harness(4);
    h.setLag(0);
    for (const second of [0, 30, 59]) {
      h.at(second);
      await h.autoscaler.poll();
    }
    expect(h.writes).toEqual([]);
    h.at(61);
    await h.autoscaler.poll();
    expect(h.writes).toEqual([1]);
  });
});
