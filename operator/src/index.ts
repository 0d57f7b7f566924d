// Public face of @soc/operator (so far: the autoscaling decision).
export { partitionLag, recommendedReplicas, stabilizedReplicas, type AutoscalingPolicy, type PartitionLagReading, type Recommendation } from "./autoscaling/lag-to-replicas.ts";
