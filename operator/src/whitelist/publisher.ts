/**
 * Makes a pipeline's `config-updates` topic say its effective whitelist, diffing against what the
 * topic says now. What was last published is also recorded in a ConfigMap owned by the SocPipeline
 * (durable in the cluster, so an entry published before messages carried an owner is still
 * removed when its IpWhitelist goes, even while the operator was down). The record is written only
 * after Kafka acknowledged the messages: a crash in between re-sends them, which is harmless on a
 * compacted topic keyed by the entry.
 */
import { whitelistUpdateMessage, type Bus, type OwnedEntry, type Whitelist } from "@soc/shared";
import { z } from "zod";
import { API_VERSION, type SocPipeline } from "../api/v1alpha1/index.ts";
import type { KubeClient, KubeObject } from "../kube/client.ts";
import { kubeTime } from "../kube/time.ts";
import { PIPELINE_LABEL } from "../naming.ts";
import { whitelistChanges } from "./effective-whitelist.ts";

export const publishedRecordName = (pipeline: string): string => `${pipeline}-whitelist-published`;

export interface PublishResult {
  entries: number;
  added: number;
  removed: number;
  publishedAt: string | undefined;
}

interface RecordObject extends KubeObject {
  data?: { entries?: string; publishedAt?: string };
}

const recordSchema = z.array(z.string());

/** The entries of the record; an unreadable record (edited by hand) counts as nothing published. */
function readRecord(text: string | undefined): string[] {
  if (text === undefined) return [];
  try {
    const parsed = recordSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : [];
  } catch {
    return [];
  }
}

const sameEntries = (a: readonly string[], b: readonly string[]): boolean =>
  a.length === b.length && a.every((ip, i) => ip === b[i]);

/** `onTopic` is the operator's copy of the topic; it is updated at once so the next reconcile does not publish the same again. */
export async function publishWhitelist(
  kube: KubeClient,
  bus: Bus,
  onTopic: Whitelist,
  pipeline: SocPipeline,
  wanted: OwnedEntry[],
  now: Date,
): Promise<PublishResult> {
  const { name, namespace, uid } = pipeline.metadata;
  const record = await kube.get<RecordObject>({
    apiVersion: "v1",
    kind: "ConfigMap",
    namespace,
    name: publishedRecordName(name),
  });
  const recorded = readRecord(record?.data?.entries);
  const wantedIps = wanted.map((e) => e.ip);
  const changes = whitelistChanges(onTopic.ownedEntries(), recorded, wanted);
  if (changes.length === 0 && sameEntries(recorded, wantedIps))
    return { entries: wanted.length, added: 0, removed: 0, publishedAt: record?.data?.publishedAt };

  if (changes.length > 0) {
    await bus.publish(pipeline.spec.kafka.topics.configUpdates, changes.map(whitelistUpdateMessage));
    for (const change of changes) onTopic.apply(change);
  }
  const publishedAt = changes.length > 0 ? kubeTime(now) : (record?.data?.publishedAt ?? kubeTime(now));
  await kube.apply({
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: {
      name: publishedRecordName(name),
      namespace,
      // Not labelled managed-by: pruning must never take it for a leftover child.
      labels: { [PIPELINE_LABEL]: name },
      ownerReferences: [
        { apiVersion: API_VERSION, kind: "SocPipeline", name, uid, controller: true, blockOwnerDeletion: true },
      ],
    },
    data: { entries: JSON.stringify(wantedIps), publishedAt },
  });
  const removed = changes.filter((c) => c.action === "remove").length;
  return { entries: wanted.length, added: changes.length - removed, removed, publishedAt };
}
