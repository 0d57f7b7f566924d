/**
 * A collector's one port: /healthz, /readyz and /metrics first, then the drain if any. Ready means
 * "can publish" (the bus answers), whether or not a drain is configured, so the probe the operator
 * sets passes exactly when received logs would reach Kafka.
 */
import type { RequestListener } from "node:http";
import { handleOpsRequest, replyNotFound, type OpsEndpoints } from "@soc/shared/telemetry";

/** `drain` null: the collector only pulls, and its port serves the ops endpoints alone (404 otherwise). */
export function drainCollectorListener(ops: OpsEndpoints, drain: RequestListener | null): RequestListener {
  return (request, response) => {
    if (handleOpsRequest(ops, request, response)) return;
    if (drain === null) replyNotFound(response);
    else drain(request, response);
  };
}
