/** Slack incoming webhook: Block Kit with a plain `text` fallback for notifications and old clients. */
import type { Secret } from "@soc/shared";
import type { Notification } from "../notification.ts";
import { postWebhook, retryAfterHeaderMs, type Channel } from "./channel.ts";

// Slack limits: a section's fields hold at most 10 items of 2000 characters.
const MAX_FIELDS = 10;

export function slackMessage(notification: Notification): Record<string, unknown> {
  const blocks: Record<string, unknown>[] = [
    { type: "header", text: { type: "plain_text", text: notification.title.slice(0, 150) } },
    { type: "section", text: { type: "mrkdwn", text: notification.text.slice(0, 3000) } },
    { type: "section", fields: notification.facts.slice(0, MAX_FIELDS).map((fact) => ({ type: "mrkdwn", text: `*${fact.label}*\n${fact.value}`.slice(0, 2000) })) },
  ];
  if (notification.link !== null) {
    blocks.push({ type: "actions", elements: [{ type: "button", text: { type: "plain_text", text: "Open in dashboard" }, url: notification.link }] });
  }
  return { text: notification.text, blocks };
}

export function slackChannel(id: string, webhookUrl: Secret): Channel {
  return {
    id,
    kind: "slack",
    send: (notification) => postWebhook(webhookUrl.reveal(), slackMessage(notification), (response) => retryAfterHeaderMs(response.headers.get("retry-after"))),
  };
}
