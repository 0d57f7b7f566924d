/** Slack incoming webhook: Block Kit with a plain `text` fallback for notifications and old clients. */
import type { Secret } from "@soc/shared";
import type { Notification } from "../notification.ts";
import { postWebhook, retryAfterHeaderMs, type Channel } from "./channel.ts";
import { clip, escapeSlack, escapeWithin } from "./escape.ts";

// Slack limits: header 150 characters; section text and a button's url 3000; a section's fields
// at most 10 items of 2000 characters.
export const SLACK_LIMITS = { header: 150, text: 3000, fields: 10, field: 2000, url: 3000 } as const;

/** `verbatim`: Slack must not turn bare URLs, channel names or "@here" in the text into links or mentions. */
const mrkdwn = (text: string) => ({ type: "mrkdwn", text, verbatim: true });

function field(label: string, value: string): ReturnType<typeof mrkdwn> {
  const heading = `*${escapeSlack(label)}*\n`;
  return mrkdwn(heading + escapeWithin(value, SLACK_LIMITS.field - heading.length, escapeSlack));
}

export function slackMessage(notification: Notification): Record<string, unknown> {
  const text = escapeWithin(notification.text, SLACK_LIMITS.text, escapeSlack);
  const blocks: Record<string, unknown>[] = [
    { type: "header", text: { type: "plain_text", text: clip(notification.title, SLACK_LIMITS.header) } },
    { type: "section", text: mrkdwn(text) },
    {
      type: "section",
      fields: notification.facts.slice(0, SLACK_LIMITS.fields).map((fact) => field(fact.label, fact.value)),
    },
  ];
  if (notification.link !== null && notification.link.length <= SLACK_LIMITS.url) {
    blocks.push({
      type: "actions",
      elements: [{ type: "button", text: { type: "plain_text", text: "Open in dashboard" }, url: notification.link }],
    });
  }
  return { text, blocks };
}

export function slackChannel(id: string, webhookUrl: Secret): Channel {
  return {
    id,
    kind: "slack",
    send: (notification) =>
      postWebhook(webhookUrl.reveal(), slackMessage(notification), (response) =>
        retryAfterHeaderMs(response.headers.get("retry-after")),
      ),
  };
}
