// Public face of @soc/operator: the API types (schemas, CRD generation) and the pure decisions.
export * from "./api/v1alpha1/index.ts";
export { crdFiles, customResourceDefinition } from "./api/crd.ts";
export { desiredChildren } from "./pipeline/children.ts";
export { pipelineStatus } from "./pipeline/status.ts";
export { effectiveWhitelist, whitelistChanges } from "./whitelist/effective-whitelist.ts";
export {
  partitionLag,
  recommendedReplicas,
  stabilizedReplicas,
  type AutoscalingPolicy,
  type PartitionLagReading,
  type Recommendation,
} from "./autoscaling/lag-to-replicas.ts";
