/**
 * How many worker replicas a consumer lag calls for, with the semantics of KEDA's Kafka scaler:
 * per-partition lag, a partition without a committed offset counted by the offset reset policy,
 * desired = ceil(total lag / lagThreshold) within [min, max] and never more than the partitions
 * (an extra consumer would sit idle). Scale up at once; scale down only to the highest
 * recommendation of the stabilization window, as the HPA does. Pure: `now` comes in.
 */
export interface PartitionLagReading {
  partition: number;
  endOffset: number;
  /** Next offset the group reads; null when it never committed on this partition. */
  committedOffset: number | null;
}

export interface AutoscalingPolicy {
  minReplicas: number;
  maxReplicas: number;
  lagThreshold: number;
  scaleDownStabilizationSeconds: number;
  /** What the worker does without a committed offset: "earliest" reads the whole partition. */
  offsetResetPolicy: "earliest" | "latest";
}

export function partitionLag(reading: PartitionLagReading, policy: AutoscalingPolicy): number {
  if (reading.committedOffset !== null) return Math.max(0, reading.endOffset - reading.committedOffset);
  // KEDA: with "latest" a new group starts at the end, so there is nothing to catch up on.
  return policy.offsetResetPolicy === "earliest" ? reading.endOffset : 0;
}

export function recommendedReplicas(
  readings: PartitionLagReading[],
  policy: AutoscalingPolicy,
): { totalLag: number; replicas: number } {
  const totalLag = readings.reduce((sum, reading) => sum + partitionLag(reading, policy), 0);
  const wanted = Math.ceil(totalLag / policy.lagThreshold);
  const ceiling = Math.min(policy.maxReplicas, Math.max(policy.minReplicas, readings.length));
  return { totalLag, replicas: Math.max(policy.minReplicas, Math.min(ceiling, wanted)) };
}

export interface Recommendation {
  atSeconds: number;
  replicas: number;
}

/**
 * The replicas to set now, given earlier recommendations: up immediately, down only to the highest
 * recommendation within the window. Returns the history to keep for the next decision.
 */
export function stabilizedReplicas(
  history: Recommendation[],
  recommendation: number,
  nowSeconds: number,
  policy: AutoscalingPolicy,
): { replicas: number; history: Recommendation[] } {
  const kept = [
    ...history.filter((r) => r.atSeconds > nowSeconds - policy.scaleDownStabilizationSeconds),
    { atSeconds: nowSeconds, replicas: recommendation },
  ];
  return { replicas: Math.max(...kept.map((r) => r.replicas)), history: kept };
}
