/** Kubernetes Events for what the operator did, shown by `kubectl describe` and `kubectl events`. */
import type { Logger } from "@soc/shared";
import type { KubeClient, KubeObject } from "./client.ts";
import { kubeTime } from "./time.ts";

export type EventType = "Normal" | "Warning";

export interface EventRecorder {
  record(object: KubeObject, type: EventType, reason: string, message: string): void;
}

export function createEventRecorder(kube: KubeClient, identity: string, logger: Logger): EventRecorder {
  return {
    record(object, type, reason, message) {
      const now = kubeTime(new Date());
      const namespace = object.metadata.namespace ?? "default";
      const event = {
        apiVersion: "v1",
        kind: "Event",
        // An empty name with generateName lets the API server pick a unique one.
        metadata: { name: "", generateName: `${object.metadata.name}.`, namespace },
        involvedObject: {
          apiVersion: object.apiVersion,
          kind: object.kind,
          name: object.metadata.name,
          namespace,
          uid: object.metadata.uid,
        },
        type,
        reason,
        message: message.slice(0, 1024),
        source: { component: "soc-operator" },
        reportingComponent: "soc-operator",
        reportingInstance: identity,
        firstTimestamp: now,
        lastTimestamp: now,
        count: 1,
      };
      // Events are best effort: a lost one must never fail a reconcile.
      kube.create(event).catch((error: unknown) => logger.warn({ err: error, reason }, "could not record event"));
    },
  };
}
