/**
 * A SocPipeline's status from what its children report, after the API conventions: conditions
 * Ready, Progressing and Degraded, plus kstatus's abnormal-true Reconciling and Stalled so that
 * Flux, Argo CD and `kubectl wait` all read it right. Pure: the clock comes in.
 */
import type { ComponentStatus, SocPipeline, SocPipelineStatus } from "../api/v1alpha1/index.ts";
import type { KubeObject } from "../kube/client.ts";
import type { KafkaProblem } from "../kafka/kafka-problem.ts";
import { pipelinePrincipal } from "../kafka/pipeline-credentials.ts";
import { mergeConditions, type ConditionInput } from "../status/conditions.ts";
import type { Refusal } from "./guards.ts";

/** What the reconcile saw of one component's workload. */
export interface ComponentObservation {
  name: string;
  kind: "Deployment" | "CronJob";
  /** Null when the workload does not exist (yet). */
  workload: WorkloadState | null;
}

export interface WorkloadState {
  generation: number;
  observedGeneration: number;
  desiredReplicas: number;
  updatedReplicas: number;
  readyReplicas: number;
  availableReplicas: number;
  /** A Deployment condition that will not fix itself (ReplicaFailure, ProgressDeadlineExceeded). */
  failure: string | null;
}

export interface ReconcileOutcome {
  components: ComponentObservation[];
  /** Applying the children failed; `permanent` when retrying cannot help (Invalid, Forbidden). */
  applyError: { message: string; permanent: boolean } | null;
  /** Children the operator would not write (a name taken by someone else's object, a forbidden image). */
  refusals?: Refusal[];
  whitelistError: string | null;
  /** The first Kafka step that failed, as the author may see it; null when every one succeeded; absent: not tried. */
  kafka?: KafkaProblem | null;
}

function componentStatus(observation: ComponentObservation): ComponentStatus {
  const workload = observation.workload;
  if (workload === null)
    return { name: observation.name, kind: observation.kind, desiredReplicas: 0, readyReplicas: 0, ready: false };
  // A CronJob is ready once it exists: its pods come and go on schedule.
  const ready =
    observation.kind === "CronJob" ||
    (workload.observedGeneration >= workload.generation &&
      workload.updatedReplicas >= workload.desiredReplicas &&
      workload.availableReplicas >= workload.desiredReplicas);
  return {
    name: observation.name,
    kind: observation.kind,
    desiredReplicas: workload.desiredReplicas,
    readyReplicas: workload.readyReplicas,
    ready,
  };
}

const rolledOut = (w: WorkloadState | null): boolean =>
  w !== null && w.observedGeneration >= w.generation && w.updatedReplicas >= w.desiredReplicas;

/** The first problem found, in order of how much it explains: a refusal, a failed apply, Kafka, a failed component, a failed whitelist publish. */
function degradedCondition(outcome: ReconcileOutcome, failures: string[]): ConditionInput {
  const refusals = outcome.refusals ?? [];
  const refused = refusals[0];
  const problem = (reason: string, message: string): ConditionInput => ({
    type: "Degraded",
    status: "True",
    reason,
    message,
  });
  if (refused !== undefined) return problem(refused.reason, refusals.map((r) => r.message).join("; "));
  if (outcome.applyError !== null) return problem("ApplyFailed", outcome.applyError.message);
  if (outcome.kafka != null) return problem(outcome.kafka.reason, outcome.kafka.message);
  if (failures.length > 0) return problem("ComponentFailed", failures.join("; "));
  if (outcome.whitelistError !== null) return problem("WhitelistPublishFailed", outcome.whitelistError);
  return { type: "Degraded", status: "False", reason: "AsExpected", message: "No problem found" };
}

function progressingCondition(outcome: ReconcileOutcome): ConditionInput {
  const rollingOut = outcome.components
    .filter((c) => c.kind === "Deployment" && !rolledOut(c.workload))
    .map((c) => c.name);
  return rollingOut.length > 0
    ? { type: "Progressing", status: "True", reason: "RollingOut", message: `Rolling out: ${rollingOut.join(", ")}` }
    : {
        type: "Progressing",
        status: "False",
        reason: "RolloutComplete",
        message: "Every component runs the current spec",
      };
}

function readyCondition(degraded: ConditionInput, statuses: ComponentStatus[]): ConditionInput {
  const notReady = statuses.filter((c) => !c.ready).map((c) => c.name);
  if (degraded.status === "True")
    return { type: "Ready", status: "False", reason: degraded.reason, message: degraded.message };
  if (notReady.length > 0)
    return {
      type: "Ready",
      status: "False",
      reason: "ComponentsNotReady",
      message: `Not ready: ${notReady.join(", ")}`,
    };
  return {
    type: "Ready",
    status: "True",
    reason: "AllComponentsReady",
    message: `${statuses.length} components ready`,
  };
}

/** Whether the operator could do its Kafka part (topics, whitelist) for the pipeline, and as whom. */
function kafkaCondition(pipeline: SocPipeline, problem: KafkaProblem | null): ConditionInput {
  return problem === null
    ? {
        type: "KafkaReady",
        status: "True",
        reason: "Connected",
        message: `Topics ensured and whitelist published as ${pipelinePrincipal(pipeline.spec.kafka)}`,
      }
    : { type: "KafkaReady", status: "False", reason: problem.reason, message: problem.message };
}

function desiredConditions(
  pipeline: SocPipeline,
  outcome: ReconcileOutcome,
  statuses: ComponentStatus[],
): ConditionInput[] {
  const failures = outcome.components.flatMap((c) =>
    c.workload?.failure == null ? [] : [`${c.name}: ${c.workload.failure}`],
  );
  const degraded = degradedCondition(outcome, failures);
  const ready = readyCondition(degraded, statuses);
  // kstatus: Stalled = will not progress without a change; Reconciling = still converging.
  const stalled =
    (outcome.refusals ?? []).length > 0 ||
    (outcome.applyError?.permanent ?? false) ||
    (outcome.kafka?.permanent ?? false) ||
    failures.length > 0;
  return [
    ready,
    progressingCondition(outcome),
    degraded,
    {
      type: "Reconciling",
      status: ready.status === "True" || stalled ? "False" : "True",
      reason: ready.reason,
      message: ready.message,
    },
    {
      type: "Stalled",
      status: stalled ? "True" : "False",
      reason: stalled ? degraded.reason : "AsExpected",
      message: stalled ? degraded.message : "",
    },
    ...(outcome.kafka === undefined ? [] : [kafkaCondition(pipeline, outcome.kafka)]),
  ];
}

/** The status the reconciler owns (autoscaling and whitelist parts are written by their own loops). */
export function pipelineStatus(pipeline: SocPipeline, outcome: ReconcileOutcome, now: Date): SocPipelineStatus {
  const statuses = outcome.components.map(componentStatus);
  const generation = pipeline.metadata.generation;
  return {
    observedGeneration: generation,
    conditions: mergeConditions(
      pipeline.status?.conditions,
      desiredConditions(pipeline, outcome, statuses),
      generation,
      now,
    ),
    components: statuses,
    readyComponents: `${statuses.filter((c) => c.ready).length}/${statuses.length}`,
  };
}

/** A spec the operator's schema refuses (an API server with an older CRD let it in): nothing is applied. */
export function invalidSpecStatus(raw: KubeObject, message: string, now: Date): SocPipelineStatus {
  const generation = raw.metadata.generation ?? 0;
  const previous = (raw.status as SocPipelineStatus | undefined)?.conditions;
  const wanted: ConditionInput[] = [
    { type: "Ready", status: "False", reason: "InvalidSpec", message },
    { type: "Degraded", status: "True", reason: "InvalidSpec", message },
    { type: "Reconciling", status: "False", reason: "InvalidSpec", message },
    { type: "Stalled", status: "True", reason: "InvalidSpec", message },
  ];
  return { observedGeneration: generation, conditions: mergeConditions(previous, wanted, generation, now) };
}
