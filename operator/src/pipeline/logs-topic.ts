/**
 * The reconcile's topic step: before the workloads that use it, the logs topic is created with, or
 * raised to, the partitions partitions.ts decides; what happened goes to status and Events.
 */
import type { Logger } from "@soc/shared";
import type { KafkaBus } from "@soc/shared/kafka";
import type { SocPipeline, SocPipelineStatus } from "../api/v1alpha1/index.ts";
import type { EventRecorder } from "../kube/events.ts";
import { kafkaProblem, type KafkaProblem } from "../kafka/kafka-problem.ts";
import { pipelinePrincipal } from "../kafka/pipeline-credentials.ts";
import { mergeConditions, type ConditionInput } from "../status/conditions.ts";
import {
  desiredLogsPartitions,
  PARTITIONS_CONDITION,
  partitionPlan,
  partitionsAfter,
  partitionsCondition,
} from "./partitions.ts";

export interface LogsTopicOutcome {
  condition: ConditionInput;
  /** The topic's partitions now; null when Kafka could not tell. */
  partitions: number | null;
  error: KafkaProblem | null;
}

/** `connect` ensures the pipeline's topics, creating a missing logs topic with the partitions given, so a new topic needs no raise. */
export async function reconcileLogsPartitions(
  pipeline: SocPipeline,
  connect: (logsPartitions: number) => Promise<KafkaBus>,
  events: EventRecorder,
  logger: Logger,
): Promise<LogsTopicOutcome> {
  const topic = pipeline.spec.kafka.topics.logs;
  const desired = desiredLogsPartitions(pipeline.spec);
  try {
    const bus = await connect(desired);
    const current = await bus.partitionCount(topic);
    if (current === null) throw new Error("missing right after it was ensured (deleted meanwhile?)");
    const plan = partitionPlan(desired, current);
    if (plan.action === "raise") await bus.raisePartitions(topic, plan.to);
    const condition = partitionsCondition(topic, plan, pipeline.spec);
    const before = pipeline.status?.conditions?.find((c) => c.type === PARTITIONS_CONDITION);
    // Said once when it happens or starts, not on every resync.
    if (plan.action === "raise") events.record(pipeline, "Normal", "PartitionsRaised", condition.message);
    else if (condition.reason === "CannotLower" && before?.reason !== "CannotLower")
      events.record(pipeline, "Warning", "PartitionsNotLowered", condition.message);
    return { condition, partitions: partitionsAfter(plan), error: null };
  } catch (error) {
    // The cause in full for the operator's log; status and Events say only what kafka-problem.ts lets through.
    logger.warn(
      { err: error, pipeline: `${pipeline.metadata.namespace}/${pipeline.metadata.name}`, topic },
      "Kafka step of the reconcile failed",
    );
    const problem = kafkaProblem(error, pipelinePrincipal(pipeline.spec.kafka));
    events.record(pipeline, "Warning", problem.reason, problem.message);
    return {
      condition: {
        type: PARTITIONS_CONDITION,
        status: "Unknown",
        reason: "KafkaUnavailable",
        message: `topic ${topic}: ${problem.message}`,
      },
      partitions: null,
      error: problem,
    };
  }
}

/** The reconciler's status with the step's condition and the partition count added. */
export function withLogsTopic<S extends SocPipelineStatus>(
  status: S,
  outcome: LogsTopicOutcome,
  pipeline: SocPipeline,
  now: Date,
): S {
  const condition = mergeConditions(
    pipeline.status?.conditions,
    [outcome.condition],
    pipeline.metadata.generation,
    now,
  );
  return {
    ...status,
    conditions: [...(status.conditions ?? []), ...condition],
    ...(outcome.partitions === null ? {} : { logsPartitions: outcome.partitions }),
  };
}
