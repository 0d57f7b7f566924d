/**
 * Reconciles one SocPipeline: read it as it is now, apply the children it should own (server-side
 * apply, one field manager, forced, but never over an object someone else owns, nor with an image
 * outside the allowed registries), prune the ones it no longer should, publish its effective
 * whitelist, start or stop its autoscaler, and write status. Level-triggered: it never asks what
 * event brought it here, so running it twice changes nothing.
 */
import type { Logger } from "@soc/shared";
import { API_VERSION, socPipelineObject, type SocPipeline } from "../api/v1alpha1/index.ts";
import type { AutoscalerManager } from "../autoscaling/manager.ts";
import { KubeApiError, type KubeClient, type KubeObject, type ObjectRef } from "../kube/client.ts";
import type { EventRecorder } from "../kube/events.ts";
import { containsFields, isUpToDate } from "../kube/up-to-date.ts";
import type { OperatorMetrics } from "../metrics.ts";
import { reconcileWhitelist, reportMissingPipeline } from "../whitelist/reconcile-whitelist.ts";
import type { TopicWhitelists } from "../whitelist/topic-whitelists.ts";
import type { KafkaProblem } from "../kafka/kafka-problem.ts";
import type { PipelineBuses } from "../kafka/pipeline-buses.ts";
import { PIPELINE_LABEL } from "../naming.ts";
import { CHILD_KINDS, desiredChildren } from "./children.ts";
import { refusal, type Refusal } from "./guards.ts";
import {
  invalidSpecStatus,
  pipelineStatus,
  type ComponentObservation,
  type ReconcileOutcome,
  type WorkloadState,
} from "./status.ts";
import { reconcileLogsPartitions, withLogsTopic } from "./logs-topic.ts";

export interface ReconcilerContext {
  kube: KubeClient;
  buses: PipelineBuses;
  /** What each pipeline's config-updates topic says now. */
  topicWhitelists: TopicWhitelists;
  events: EventRecorder;
  autoscalers: AutoscalerManager;
  /** Cached IpWhitelists (informer); reconcile reads the pipeline itself fresh. */
  whitelists: () => KubeObject[];
  /** Cached children of one kind (informer), to find leftovers. */
  children: (apiVersion: string, kind: string) => KubeObject[];
  /** One cached child (informer), to skip unchanged applies and report what changed. */
  child: (ref: ObjectRef) => KubeObject | undefined;
  /** Registries workload images must come from; empty: any. */
  imageRegistries: readonly string[];
  metrics: OperatorMetrics;
  logger: Logger;
  now: () => Date;
}

export interface ReconcileResult {
  requeueAfterMs: number | null;
}

/** Requeue while converging, to refresh status even if no child event arrives. */
const NOT_READY_REQUEUE_MS = 30_000;
const READY_REQUEUE_MS = 5 * 60_000;

const childKey = (o: { kind: string; metadata: { namespace?: string; name: string } }): string =>
  `${o.kind}/${o.metadata.namespace ?? ""}/${o.metadata.name}`;

function workloadState(object: KubeObject): WorkloadState {
  const spec = (object.spec ?? {}) as { replicas?: number };
  const status = (object.status ?? {}) as Record<string, number | undefined> & {
    conditions?: { type: string; status: string; reason?: string; message?: string }[];
  };
  const failure = status.conditions?.find(
    (c) =>
      (c.type === "ReplicaFailure" && c.status === "True") ||
      (c.type === "Progressing" && c.reason === "ProgressDeadlineExceeded"),
  );
  return {
    generation: object.metadata.generation ?? 0,
    observedGeneration: status.observedGeneration ?? 0,
    desiredReplicas: spec.replicas ?? 1,
    updatedReplicas: status.updatedReplicas ?? 0,
    readyReplicas: status.readyReplicas ?? 0,
    availableReplicas: status.availableReplicas ?? 0,
    failure: failure === undefined ? null : (failure.message ?? failure.reason ?? failure.type),
  };
}

/** 4xx other than conflicts and throttling will fail again until someone changes something. */
const isPermanent = (error: unknown): boolean =>
  error instanceof KubeApiError &&
  error.statusCode >= 400 &&
  error.statusCode < 500 &&
  error.statusCode !== 409 &&
  error.statusCode !== 429;

const refOf = (child: KubeObject): ObjectRef => ({
  apiVersion: child.apiVersion,
  kind: child.kind,
  namespace: child.metadata.namespace,
  name: child.metadata.name,
});

/**
 * The live object behind each child: the cache holds only objects with our label, so a name it does
 * not know is read from the API server, where someone else's object of that name would be.
 */
const liveChildren = (ctx: ReconcilerContext, desired: KubeObject[]): Promise<(KubeObject | null)[]> =>
  Promise.all(desired.map((child) => ctx.child(refOf(child)) ?? ctx.kube.get<KubeObject>(refOf(child))));

/** Applies every child at once (they do not depend on each other), except the refused ones, and reports what changed. */
async function applyChildren(
  ctx: ReconcilerContext,
  pipeline: SocPipeline,
  desired: KubeObject[],
): Promise<{ applied: KubeObject[]; error: ReconcileOutcome["applyError"]; refusals: Refusal[] }> {
  const live = await liveChildren(ctx, desired);
  const refusals: Refusal[] = [];
  const writable = desired.flatMap((child, i) => {
    const refused = refusal(pipeline, child, live[i], ctx.imageRegistries);
    if (refused === null) return [{ child, before: live[i] ?? undefined }];
    ctx.events.record(pipeline, "Warning", refused.reason, refused.message);
    refusals.push(refused);
    return [];
  });
  const results = await Promise.allSettled(
    writable.map(({ child, before }) =>
      isUpToDate(child, before) ? Promise.resolve(before as KubeObject) : ctx.kube.apply<KubeObject>(child),
    ),
  );
  const applied: KubeObject[] = [];
  let error: ReconcileOutcome["applyError"] = null;
  results.forEach((result, i) => {
    const { child, before: previous } = writable[i] as (typeof writable)[number];
    if (result.status === "rejected") {
      const message = `applying ${child.kind} ${child.metadata.name}: ${(result.reason as Error).message}`;
      ctx.events.record(pipeline, "Warning", "ApplyFailed", message);
      // A permanent failure wins: retrying cannot fix it, and status must say so.
      if (error === null || (!error.permanent && isPermanent(result.reason)))
        error = { message, permanent: isPermanent(result.reason) };
      return;
    }
    applied.push(result.value);
    if (previous === undefined)
      ctx.events.record(pipeline, "Normal", "Created", `Created ${child.kind} ${child.metadata.name}`);
    else if (
      (previous.metadata.generation ?? previous.metadata.resourceVersion) !==
      (result.value.metadata.generation ?? result.value.metadata.resourceVersion)
    ) {
      ctx.events.record(pipeline, "Normal", "Updated", `Updated ${child.kind} ${child.metadata.name}`);
    }
  });
  return { applied, error, refusals };
}

async function pruneChildren(ctx: ReconcilerContext, pipeline: SocPipeline, desired: KubeObject[]): Promise<void> {
  const wanted = new Set(desired.map(childKey));
  const { name, namespace, uid } = pipeline.metadata;
  for (const { apiVersion, kind } of CHILD_KINDS) {
    for (const child of ctx.children(apiVersion, kind)) {
      const ours =
        child.metadata.namespace === namespace &&
        child.metadata.labels?.[PIPELINE_LABEL] === name &&
        (child.metadata.ownerReferences ?? []).some((o) => o.uid === uid);
      if (!ours || wanted.has(childKey(child))) continue;
      await ctx.kube.delete({ apiVersion, kind, namespace, name: child.metadata.name });
      ctx.events.record(pipeline, "Normal", "Pruned", `Deleted ${kind} ${child.metadata.name}: no longer in the spec`);
    }
  }
}

function observe(pipeline: SocPipeline, desired: KubeObject[], applied: KubeObject[]): ComponentObservation[] {
  const appliedByKey = new Map(applied.map((o) => [childKey(o), o]));
  const prefix = `${pipeline.metadata.name}-`;
  return desired
    .filter(
      (o): o is KubeObject & { kind: "Deployment" | "CronJob" } => o.kind === "Deployment" || o.kind === "CronJob",
    )
    .map((o) => {
      const live = appliedByKey.get(childKey(o));
      return {
        name: o.metadata.name.slice(prefix.length),
        kind: o.kind,
        workload: live === undefined ? null : workloadState(live),
      };
    });
}

/** Refused Kafka access stays refused until the spec changes: no lag to read until then. */
function ensureAutoscaler(ctx: ReconcilerContext, pipeline: SocPipeline, kafka: KafkaProblem | null): void {
  if (kafka?.permanent === true) ctx.autoscalers.stop(`${pipeline.metadata.namespace}/${pipeline.metadata.name}`);
  else ctx.autoscalers.ensure(pipeline);
}

/** What the work queue retries with backoff: not what only a change of the spec (which brings a reconcile) can fix. */
const retriedFailure = (whitelistError: string | null, kafka: KafkaProblem | null): string | null =>
  kafka?.permanent === true ? null : (whitelistError ?? kafka?.message ?? null);

export async function reconcilePipeline(
  ctx: ReconcilerContext,
  namespace: string,
  name: string,
): Promise<ReconcileResult> {
  const raw = await ctx.kube.get<KubeObject>({ apiVersion: API_VERSION, kind: "SocPipeline", namespace, name });
  if (raw === null || raw.metadata.deletionTimestamp !== undefined) {
    // Children go with it: they carry an owner reference and the garbage collector removes them.
    ctx.autoscalers.stop(`${namespace}/${name}`);
    ctx.buses.release(`${namespace}/${name}`);
    await reportMissingPipeline(ctx, namespace, name);
    return { requeueAfterMs: null };
  }
  const parsed = socPipelineObject.safeParse(raw);
  if (!parsed.success) {
    // The API server's CRD may be older than the operator (Helm never upgrades CRDs): say why here too.
    const message = parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`).join("; ");
    ctx.events.record(raw, "Warning", "InvalidSpec", message);
    const status = invalidSpecStatus(raw, message, ctx.now());
    if (!containsFields(raw.status, status))
      await ctx.kube.apply(
        { apiVersion: API_VERSION, kind: "SocPipeline", metadata: { name, namespace }, status },
        { subresource: "status" },
      );
    return { requeueAfterMs: null };
  }
  const pipeline = parsed.data;
  // Before the workloads that use it, so the logs topic is made with the spec's partitions, not a service's default.
  const topic = await reconcileLogsPartitions(
    pipeline,
    (logsPartitions) => ctx.buses.connect(pipeline, logsPartitions),
    ctx.events,
    ctx.logger,
  );
  const desired = desiredChildren(pipeline);
  const { applied, error: applyError, refusals } = await applyChildren(ctx, pipeline, desired);
  if (applyError === null) await pruneChildren(ctx, pipeline, desired);
  const whitelist = await reconcileWhitelist(ctx, pipeline);
  const kafka = topic.error ?? whitelist.kafka;
  ensureAutoscaler(ctx, pipeline, kafka);

  const outcome: ReconcileOutcome = {
    components: observe(pipeline, desired, applied),
    applyError,
    refusals,
    whitelistError: whitelist.error,
    kafka,
  };
  const status = withLogsTopic(
    {
      ...pipelineStatus(pipeline, outcome, ctx.now()),
      ...(whitelist.status === undefined ? {} : { whitelist: whitelist.status }),
    },
    topic,
    pipeline,
    ctx.now(),
  );
  if (!containsFields(raw.status, status)) {
    await ctx.kube.apply(
      { apiVersion: API_VERSION, kind: "SocPipeline", metadata: { name, namespace }, status },
      { subresource: "status" },
    );
  }

  if (applyError !== null && !applyError.permanent) throw new Error(applyError.message);
  const failure = retriedFailure(whitelist.error, kafka);
  if (failure !== null) throw new Error(failure);
  const ready = status.conditions?.find((c) => c.type === "Ready")?.status === "True";
  return { requeueAfterMs: ready ? READY_REQUEUE_MS : NOT_READY_REQUEUE_MS };
}
