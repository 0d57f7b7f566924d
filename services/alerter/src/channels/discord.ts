/** Discord webhook: one embed, kept inside Discord's documented limits. */
import type { Secret } from "@soc/shared";
import type { Notification } from "../notification.ts";
import { postWebhook, retryAfterHeaderMs, type Channel } from "./channel.ts";
import { clip, escapeDiscord, escapeWithin } from "./escape.ts";

export const DISCORD_LIMITS = {
  title: 256,
  description: 4096,
  fields: 25,
  fieldName: 256,
  fieldValue: 1024,
  total: 6000,
} as const;
const COLOURS = { medium: 0xf5a623, high: 0xe8590c, critical: 0xc92a2a } as const;

export function discordMessage(notification: Notification): {
  allowed_mentions: { parse: string[] };
  embeds: Record<string, unknown>[];
} {
  const title = clip(notification.title, DISCORD_LIMITS.title);
  const description = escapeWithin(notification.text, DISCORD_LIMITS.description, escapeDiscord);
  let budget = DISCORD_LIMITS.total - title.length - description.length;
  const fields: { name: string; value: string; inline: boolean }[] = [];
  for (const fact of notification.facts.slice(0, DISCORD_LIMITS.fields)) {
    const name = escapeWithin(fact.label, DISCORD_LIMITS.fieldName, escapeDiscord);
    const value = escapeWithin(fact.value, DISCORD_LIMITS.fieldValue, escapeDiscord) || "-";
    if (name.length + value.length > budget) break;
    budget -= name.length + value.length;
    fields.push({ name, value, inline: true });
  }
  // No @everyone, @here, role or user ping, whatever the text says.
  return {
    allowed_mentions: { parse: [] },
    embeds: [
      {
        title,
        description,
        color: COLOURS[notification.severity],
        fields,
        ...(notification.link !== null ? { url: notification.link } : {}),
      },
    ],
  };
}

/** Discord says how long to wait in the JSON body (`retry_after`, seconds), and in Retry-After. */
function discordRetryAfter(response: Response, text: string): number | null {
  try {
    const body = JSON.parse(text) as { retry_after?: unknown };
    if (typeof body.retry_after === "number") return Math.ceil(body.retry_after * 1000);
  } catch {
    // not JSON: fall back to the header
  }
  return retryAfterHeaderMs(response.headers.get("retry-after"));
}

export function discordChannel(id: string, webhookUrl: Secret): Channel {
  return {
    id,
    kind: "discord",
    send: (notification) => postWebhook(webhookUrl.reveal(), discordMessage(notification), discordRetryAfter),
  };
}
