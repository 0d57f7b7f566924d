/** An IpWhitelist's status: how many of its entries are published, and which were refused. Pure. */
import type { IpWhitelist, IpWhitelistStatus } from "../api/v1alpha1/index.ts";
import { mergeConditions, type ConditionInput } from "../status/conditions.ts";
import type { EffectiveWhitelist, RejectedEntry } from "./effective-whitelist.ts";
import type { PublishResult } from "./publisher.ts";

/** Ready, and kstatus's Reconciling and Stalled: an invalid entry waits for a fix (Stalled); a failed publish is retried (Reconciling). */
function whitelistConditions(
  rejected: RejectedEntry[],
  published: PublishResult | null,
  publishError: string | null,
  usable: number,
): ConditionInput[] {
  const ready: ConditionInput =
    rejected.length > 0
      ? {
          type: "Ready",
          status: "False",
          reason: "InvalidEntry",
          message: rejected.map((r) => `${r.ip}: ${r.reason}`).join("; "),
        }
      : publishError !== null || published === null
        ? { type: "Ready", status: "False", reason: "PublishFailed", message: publishError ?? "not published yet" }
        : { type: "Ready", status: "True", reason: "Published", message: `${usable} entries published` };
  const stalled = ready.reason === "InvalidEntry";
  return [
    ready,
    {
      type: "Reconciling",
      status: ready.reason === "PublishFailed" ? "True" : "False",
      reason: ready.reason,
      message: ready.message,
    },
    {
      type: "Stalled",
      status: stalled ? "True" : "False",
      reason: ready.reason,
      message: stalled ? ready.message : "",
    },
  ];
}

export function whitelistStatus(
  whitelist: IpWhitelist,
  effective: EffectiveWhitelist,
  published: PublishResult | null,
  publishError: string | null,
  now: Date,
): IpWhitelistStatus {
  const key = whitelist.metadata.name;
  const rejected = effective.rejected.get(key) ?? [];
  const usable = effective.usableBySource.get(key) ?? 0;
  const generation = whitelist.metadata.generation;
  return {
    observedGeneration: generation,
    conditions: mergeConditions(
      whitelist.status?.conditions,
      whitelistConditions(rejected, published, publishError, usable),
      generation,
      now,
    ),
    publishedEntries: published === null ? (whitelist.status?.publishedEntries ?? 0) : usable,
    invalidEntries: rejected.map((r) => r.ip),
    ...(published?.publishedAt === undefined ? {} : { lastPublishedTime: published.publishedAt }),
  };
}

/** The pipeline the IpWhitelist names does not exist (yet): nothing of it is published. */
export function missingPipelineStatus(whitelist: IpWhitelist, now: Date): IpWhitelistStatus {
  const generation = whitelist.metadata.generation;
  const message = `SocPipeline ${whitelist.spec.pipelineRef.name} not found in namespace ${whitelist.metadata.namespace}`;
  return {
    observedGeneration: generation,
    conditions: mergeConditions(
      whitelist.status?.conditions,
      [
        { type: "Ready", status: "False", reason: "PipelineNotFound", message },
        { type: "Reconciling", status: "False", reason: "PipelineNotFound", message },
        { type: "Stalled", status: "True", reason: "PipelineNotFound", message },
      ],
      generation,
      now,
    ),
    publishedEntries: 0,
    invalidEntries: [],
  };
}
