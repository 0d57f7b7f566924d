/**
 * A notification channel (Slack, Discord, email). `send` makes one attempt and says what happened;
 * retrying, backoff and dead-endpoint bookkeeping live once, in ../delivery.ts.
 */
import { tracedFetch } from "@soc/shared/telemetry";
import type { Notification } from "../notification.ts";

/** Why a delivery was abandoned; a fixed set that doubles as a metric label. */
export const GIVE_UP_REASONS = ["rejected", "dead_endpoint", "retries_exhausted"] as const;
export type GiveUpReason = (typeof GIVE_UP_REASONS)[number];

export type AttemptOutcome =
  | { kind: "delivered" }
  /** Worth another try; `afterMs` when the service said how long to wait (429). */
  | { kind: "retry"; cause: "throttled" | "server_error" | "network"; afterMs: number | null }
  | { kind: "give-up"; reason: Exclude<GiveUpReason, "retries_exhausted">; detail: string };

export interface Channel {
  /** e.g. "slack#1": never the webhook URL, which is a secret. */
  id: string;
  kind: "slack" | "discord" | "email";
  send(notification: Notification): Promise<AttemptOutcome>;
}

/** The HTTP answer of a webhook, in the terms of the delivery loop. */
export function classifyWebhookAnswer(status: number, retryAfterMs: number | null, detail: string): AttemptOutcome {
  if (status >= 200 && status < 300) return { kind: "delivered" };
  if (status === 429) return { kind: "retry", cause: "throttled", afterMs: retryAfterMs };
  if (status >= 500) return { kind: "retry", cause: "server_error", afterMs: retryAfterMs };
  // 404/410: the webhook was deleted or its channel archived; 401/403: its token was revoked.
  if ([401, 403, 404, 410].includes(status))
    return { kind: "give-up", reason: "dead_endpoint", detail: `HTTP ${status} ${detail}`.trim() };
  return { kind: "give-up", reason: "rejected", detail: `HTTP ${status} ${detail}`.trim() };
}

/** Retry-After in seconds (the only form Slack and Discord send) → milliseconds. */
export function retryAfterHeaderMs(value: string | null): number | null {
  if (value === null) return null;
  const seconds = Number(value);
  return Number.isFinite(seconds) && seconds >= 0 ? Math.ceil(seconds * 1000) : null;
}

/** POSTs JSON to a webhook; network failures become retryable outcomes, never thrown. */
export async function postWebhook(
  url: string,
  body: unknown,
  readRetryAfter: (response: Response, text: string) => number | null,
): Promise<AttemptOutcome> {
  let response: Response;
  try {
    response = await tracedFetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
  } catch {
    return { kind: "retry", cause: "network", afterMs: null };
  }
  const text = await response.text().catch(() => "");
  return classifyWebhookAnswer(response.status, readRetryAfter(response, text), text.slice(0, 200));
}
