/**
 * Decoding a topic message at the consumer's edge. A message that is not valid JSON or does not
 * match its schema is published to the topic's dead-letter topic with the reason, so it is never
 * lost and never stops the consumer.
 */
import type { z } from "zod";
import { deadLetterTopic } from "../messages.ts";
import type { Bus, IncomingMessage, OutgoingMessage } from "./bus.ts";

export type Decoded<T> = { ok: true; value: T } | { ok: false; reason: string };

export function decodeMessage<S extends z.ZodType>(schema: S, message: IncomingMessage): Decoded<z.output<S>> {
  if (message.value === null) return { ok: false, reason: "empty message value" };
  let json: unknown;
  try {
    json = JSON.parse(message.value);
  } catch (error) {
    return { ok: false, reason: `invalid JSON: ${(error as Error).message}` };
  }
  const parsed = schema.safeParse(json);
  if (parsed.success) return { ok: true, value: parsed.data };
  const reason = parsed.error.issues.map((issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`).join("; ");
  return { ok: false, reason: `schema: ${reason}` };
}

/** The dead-letter record keeps the original bytes and headers plus where and why it failed. */
export function deadLetterRecord(message: IncomingMessage, reason: string): OutgoingMessage {
  return {
    key: message.key,
    value: message.value,
    headers: {
      ...message.headers,
      "dlq-reason": reason.slice(0, 1000),
      "dlq-source-topic": message.topic,
      "dlq-source-partition": String(message.partition),
      "dlq-source-offset": message.offset,
    },
  };
}

export async function publishDeadLetters(
  bus: Bus,
  rejected: { message: IncomingMessage; reason: string }[],
): Promise<void> {
  const byTopic = new Map<string, OutgoingMessage[]>();
  for (const { message, reason } of rejected) {
    const topic = deadLetterTopic(message.topic);
    const records = byTopic.get(topic) ?? [];
    records.push(deadLetterRecord(message, reason));
    byTopic.set(topic, records);
  }
  for (const [topic, records] of byTopic) await bus.publish(topic, records);
}
