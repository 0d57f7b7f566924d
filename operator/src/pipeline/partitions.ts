/**
 * The logs topic's partition count, decided: the spec's, raised to the most workers that may run
 * (one consumer per partition: more workers than partitions sit idle), and never lowered, since
 * Kafka cannot remove partitions. Pure; logs-topic.ts does the Kafka side. docs/scaling.md.
 */
import type { SocPipelineSpec } from "../api/v1alpha1/index.ts";
import type { ConditionInput } from "../status/conditions.ts";

export const PARTITIONS_CONDITION = "LogsPartitions";

/** The most worker pods the spec lets run: the autoscaler's ceiling, or the fixed count. */
export const mostWorkers = (worker: SocPipelineSpec["worker"]): number =>
  worker.autoscaling.enabled ? worker.autoscaling.maxReplicas : worker.replicas;

export const desiredLogsPartitions = (spec: SocPipelineSpec): number =>
  Math.max(spec.kafka.logsPartitions, mostWorkers(spec.worker));

export type PartitionPlan =
  | { action: "raise"; from: number; to: number }
  /** `refused`: the topic has more than desired, and they stay. */
  | { action: "keep"; partitions: number; refused: boolean };

export function partitionPlan(desired: number, current: number): PartitionPlan {
  if (current < desired) return { action: "raise", from: current, to: desired };
  return { action: "keep", partitions: current, refused: current > desired };
}

export const partitionsAfter = (plan: PartitionPlan): number => (plan.action === "raise" ? plan.to : plan.partitions);

/** What status says about the plan once carried out; `why` names what asked for the count. */
export function partitionsCondition(topic: string, plan: PartitionPlan, spec: SocPipelineSpec): ConditionInput {
  const why = `spec.kafka.logsPartitions ${spec.kafka.logsPartitions}, at most ${mostWorkers(spec.worker)} workers`;
  if (plan.action === "raise")
    return {
      type: PARTITIONS_CONDITION,
      status: "True",
      reason: "Raised",
      message: `Raised topic ${topic} from ${plan.from} to ${plan.to} partitions (${why}); keys now map to other partitions, so order holds per key from here on`,
    };
  if (plan.refused) {
    const message = `Topic ${topic} keeps its ${plan.partitions} partitions although ${desiredLogsPartitions(spec)} are asked (${why}): Kafka cannot remove partitions; recreate the topic to lower them`;
    return { type: PARTITIONS_CONDITION, status: "False", reason: "CannotLower", message };
  }
  return {
    type: PARTITIONS_CONDITION,
    status: "True",
    reason: "AsDesired",
    message: `Topic ${topic} has ${plan.partitions} partitions (${why})`,
  };
}
