/**
 * The whitelist part of a pipeline's reconcile: gather the IpWhitelists that name the pipeline,
 * publish the difference from what the topic says, and write each IpWhitelist's status. Every
 * resync runs it, so the whole set is re-asserted at least once per resync period.
 */
import { ipWhitelistOwner, type Logger } from "@soc/shared";
import { API_VERSION, ipWhitelistObject, type IpWhitelist, type SocPipeline } from "../api/v1alpha1/index.ts";
import { KubeApiError, type KubeClient, type KubeObject } from "../kube/client.ts";
import type { EventRecorder } from "../kube/events.ts";
import { containsFields } from "../kube/up-to-date.ts";
import type { OperatorMetrics } from "../metrics.ts";
import { kafkaProblem, type KafkaProblem } from "../kafka/kafka-problem.ts";
import { pipelinePrincipal } from "../kafka/pipeline-credentials.ts";
import type { PipelineBuses } from "../kafka/pipeline-buses.ts";
import { effectiveWhitelist } from "./effective-whitelist.ts";
import { publishWhitelist } from "./publisher.ts";
import { missingPipelineStatus, whitelistStatus } from "./status.ts";
import type { TopicWhitelists } from "./topic-whitelists.ts";

export interface WhitelistContext {
  kube: KubeClient;
  buses: PipelineBuses;
  topicWhitelists: TopicWhitelists;
  events: EventRecorder;
  metrics: OperatorMetrics;
  /** Cached IpWhitelists of every namespace watched. */
  whitelists: () => KubeObject[];
  logger: Logger;
  now: () => Date;
}

type PipelineWhitelistStatus = NonNullable<SocPipeline["status"]>["whitelist"];

function sourcesOf(ctx: WhitelistContext, namespace: string, pipeline: string): IpWhitelist[] {
  return ctx.whitelists().flatMap((raw) => {
    const parsed = ipWhitelistObject.safeParse(raw);
    return parsed.success &&
      parsed.data.metadata.namespace === namespace &&
      parsed.data.spec.pipelineRef.name === pipeline
      ? [parsed.data]
      : [];
  });
}

async function applyWhitelistStatus(
  ctx: WhitelistContext,
  whitelist: IpWhitelist,
  status: IpWhitelist["status"],
): Promise<void> {
  if (containsFields(whitelist.status, status)) return;
  const { name, namespace } = whitelist.metadata;
  await ctx.kube.apply(
    { apiVersion: API_VERSION, kind: "IpWhitelist", metadata: { name, namespace }, status },
    { subresource: "status" },
  );
}

/** `kafka`: the failure, when it was Kafka's (status says it as kafka-problem.ts allows); `error`: any failure, as the IpWhitelists' status says it. */
export async function reconcileWhitelist(
  ctx: WhitelistContext,
  pipeline: SocPipeline,
): Promise<{ error: string | null; kafka: KafkaProblem | null; status: PipelineWhitelistStatus }> {
  const { name, namespace } = pipeline.metadata;
  const sources = sourcesOf(ctx, namespace, name);
  const effective = effectiveWhitelist(
    sources.map((s) => ({
      key: s.metadata.name,
      owner: ipWhitelistOwner(namespace, s.metadata.name),
      entries: s.spec.entries,
    })),
  );
  let error: string | null = null;
  let kafka: KafkaProblem | null = null;
  let published = null;
  try {
    const bus = await ctx.buses.connect(pipeline);
    const onTopic = await ctx.topicWhitelists.get(bus, pipeline.spec.kafka.topics.configUpdates);
    published = await publishWhitelist(ctx.kube, bus, onTopic, pipeline, effective.entries, ctx.now());
    if (published.added + published.removed > 0) {
      ctx.events.record(
        pipeline,
        "Normal",
        "WhitelistPublished",
        `Published ${published.added} additions and ${published.removed} removals to ${pipeline.spec.kafka.topics.configUpdates}`,
      );
      ctx.metrics.whitelistMessages.inc({ namespace, pipeline: name, action: "add" }, published.added);
      ctx.metrics.whitelistMessages.inc({ namespace, pipeline: name, action: "remove" }, published.removed);
    }
    ctx.metrics.whitelistPublished.set({ namespace, pipeline: name }, published.entries);
  } catch (cause) {
    // The cause in full for the operator's log; the pipeline's author sees only what kafka-problem.ts lets through.
    ctx.logger.warn({ err: cause, pipeline: `${namespace}/${name}` }, "publishing the whitelist failed");
    if (cause instanceof KubeApiError) error = `publishing the whitelist: ${cause.message}`;
    else {
      kafka = kafkaProblem(cause, pipelinePrincipal(pipeline.spec.kafka));
      error = `publishing the whitelist: ${kafka.message}`;
    }
    ctx.events.record(pipeline, "Warning", "WhitelistPublishFailed", error);
  }
  await Promise.all(
    sources.map((source) =>
      applyWhitelistStatus(ctx, source, whitelistStatus(source, effective, published, error, ctx.now())),
    ),
  );
  return {
    error,
    kafka,
    status:
      published === null
        ? pipeline.status?.whitelist
        : {
            publishedEntries: published.entries,
            sources: sources.length,
            ...(published.publishedAt === undefined ? {} : { lastPublishedTime: published.publishedAt }),
          },
  };
}

/** IpWhitelists naming a pipeline that does not exist say so, instead of keeping no status. */
export async function reportMissingPipeline(ctx: WhitelistContext, namespace: string, pipeline: string): Promise<void> {
  await Promise.all(
    sourcesOf(ctx, namespace, pipeline).map((source) =>
      applyWhitelistStatus(ctx, source, missingPipelineStatus(source, ctx.now())),
    ),
  );
}
