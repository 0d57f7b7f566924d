/**
 * Keeps a Whitelist, and the analysts' template verdicts that share its topic, in step with the
 * compacted `config-updates` topic. Every replica reads the topic from its first offset, so one
 * started later rebuilds exactly the same state.
 */
import type { Bus, IncomingMessage, Subscription } from "../bus/bus.ts";
import { decodeMessage, publishDeadLetters, type Decoded } from "../bus/dead-letter.ts";
import type { Logger } from "../logger.ts";
import { configUpdateSchema, TOPICS, type ConfigUpdate } from "../messages.ts";
import {
  isTemplateVerdictKey,
  templateVerdictKey,
  templateVerdictSchema,
  TemplateVerdicts,
  type TemplateVerdict,
} from "../triage/template-verdicts.ts";
import { Whitelist } from "./whitelist.ts";

export function whitelistUpdateMessage(update: ConfigUpdate): { key: string; value: string } {
  return { key: update.ip, value: JSON.stringify(update) };
}

/** Publishes entries of `seed` that were never on the topic (WHITELISTED_IPS), after catching up. */
export async function seedWhitelist(bus: Bus, follower: WhitelistFollower, seed: string[]): Promise<void> {
  const missing = seed.filter((ip) => !follower.seenKeys.has(ip));
  if (missing.length === 0) return;
  await bus.publish(
    follower.topic,
    missing.map((ip) => whitelistUpdateMessage({ action: "add", ip })),
  );
  for (const ip of missing) follower.whitelist.add(ip);
}

export interface WhitelistFollower {
  whitelist: Whitelist;
  /** Analysts' verdicts on log templates (triage/template-verdicts.ts), from the same topic. */
  templates: TemplateVerdicts;
  /** Keys ever seen on the topic, including removed ones: a removal is not undone by WHITELISTED_IPS. */
  seenKeys: Set<string>;
  subscription: Subscription;
  topic: string;
}

/** Decodes one `config-updates` message by its key: a template verdict, or a whitelist change. */
function decodeConfigMessage(
  message: IncomingMessage,
): Decoded<{ kind: "whitelist"; update: ConfigUpdate } | { kind: "template"; verdict: TemplateVerdict }> {
  if (!isTemplateVerdictKey(message.key)) {
    const decoded = decodeMessage(configUpdateSchema, message);
    return decoded.ok ? { ok: true, value: { kind: "whitelist", update: decoded.value } } : decoded;
  }
  const decoded = decodeMessage(templateVerdictSchema, message);
  if (!decoded.ok) return decoded;
  // Compaction keeps one message per key: a verdict under another template's key would outlive its own.
  if (message.key !== templateVerdictKey(decoded.value.source, decoded.value.pattern_id))
    return { ok: false, reason: "key: not the key of the verdict's source and template" };
  return { ok: true, value: { kind: "template", verdict: decoded.value } };
}

export async function followWhitelist(
  bus: Bus,
  logger: Logger,
  topic: string = TOPICS.configUpdates,
): Promise<WhitelistFollower> {
  const whitelist = new Whitelist();
  const templates = new TemplateVerdicts();
  const seenKeys = new Set<string>();
  const subscription = await bus.follow(topic, (message) => {
    const decoded = decodeConfigMessage(message);
    if (!decoded.ok) {
      logger.warn({ offset: message.offset, reason: decoded.reason }, "config update dead-lettered");
      publishDeadLetters(bus, [{ message, reason: decoded.reason }]).catch((error: unknown) =>
        logger.error({ err: error }, "could not dead-letter config update"),
      );
      return;
    }
    if (decoded.value.kind === "template") {
      templates.apply(decoded.value.verdict);
      return;
    }
    seenKeys.add(decoded.value.update.ip);
    whitelist.apply(decoded.value.update);
  });
  return { whitelist, templates, seenKeys, subscription, topic };
}
