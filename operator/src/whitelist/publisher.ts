/**
 * Makes a pipeline's `config-updates` topic say its effective whitelist. What was last published
 * is recorded in a ConfigMap owned by the SocPipeline (durable in the cluster, so a deletion made
 * while the operator was down is still published as a `remove`). The record is written only
 * after Kafka acknowledged the messages: a crash in between re-sends them, which is harmless on
 * a compacted topic keyed by the entry.
 */
import { whitelistUpdateMessage, type Bus } from "@soc/shared";
import { z } from "zod";
import { API_VERSION, type SocPipeline } from "../api/v1alpha1/index.ts";
import type { KubeClient, KubeObject } from "../kube/client.ts";
import { kubeTime } from "../kube/time.ts";
import { PIPELINE_LABEL } from "../pipeline/children.ts";
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

export async function publishWhitelist(kube: KubeClient, bus: Bus, pipeline: SocPipeline, wanted: string[], now: Date): Promise<PublishResult> {
  const { name, namespace, uid } = pipeline.metadata;
  const record = await kube.get<RecordObject>({ apiVersion: "v1", kind: "ConfigMap", namespace, name: publishedRecordName(name) });
  const published = readRecord(record?.data?.entries);
  const changes = whitelistChanges(published, wanted);
  if (changes.length === 0) return { entries: published.length, added: 0, removed: 0, publishedAt: record?.data?.publishedAt };

  await bus.publish(pipeline.spec.kafka.topics.configUpdates, changes.map(whitelistUpdateMessage));
  const publishedAt = kubeTime(now);
  await kube.apply({
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: {
      name: publishedRecordName(name),
      namespace,
      // Not labelled managed-by: pruning must never take it for a leftover child.
      labels: { [PIPELINE_LABEL]: name },
      ownerReferences: [{ apiVersion: API_VERSION, kind: "SocPipeline", name, uid, controller: true, blockOwnerDeletion: true }],
    },
    data: { entries: JSON.stringify(wanted), publishedAt },
  });
  const removed = changes.filter((c) => c.action === "remove").length;
  return { entries: wanted.length, added: changes.length - removed, removed, publishedAt };
}
