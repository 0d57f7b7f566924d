/**
 * Keeps a Whitelist in step with the compacted `config-updates` topic. Every replica reads the
 * topic from its first offset, so one started later rebuilds exactly the same set.
 */
import type { Bus, Subscription } from "../bus/bus.ts";
import { decodeMessage, publishDeadLetters } from "../bus/dead-letter.ts";
import type { Logger } from "../logger.ts";
import { configUpdateSchema, TOPICS, type ConfigUpdate } from "../messages.ts";
import { Whitelist } from "./whitelist.ts";

export function whitelistUpdateMessage(update: ConfigUpdate): { key: string; value: string } {
  return { key: update.ip, value: JSON.stringify(update) };
}

/** Publishes entries of `seed` that were never on the topic (WHITELISTED_IPS), after catching up. */
export async function seedWhitelist(bus: Bus, follower: WhitelistFollower, seed: string[]): Promise<void> {
  const missing = seed.filter((ip) => !follower.seenKeys.has(ip));
  if (missing.length === 0) return;
  await bus.publish(follower.topic, missing.map((ip) => whitelistUpdateMessage({ action: "add", ip })));
  for (const ip of missing) follower.whitelist.add(ip);
}

export interface WhitelistFollower {
  whitelist: Whitelist;
  /** Keys ever seen on the topic, including removed ones: a removal is not undone by WHITELISTED_IPS. */
  seenKeys: Set<string>;
  subscription: Subscription;
  topic: string;
}

export async function followWhitelist(bus: Bus, logger: Logger, topic: string = TOPICS.configUpdates): Promise<WhitelistFollower> {
  const whitelist = new Whitelist();
  const seenKeys = new Set<string>();
  const subscription = await bus.follow(topic, (message) => {
    const decoded = decodeMessage(configUpdateSchema, message);
    if (!decoded.ok) {
      logger.warn({ offset: message.offset, reason: decoded.reason }, "config update dead-lettered");
      publishDeadLetters(bus, [{ message, reason: decoded.reason }]).catch((error: unknown) =>
        logger.error({ err: error }, "could not dead-letter config update"),
      );
      return;
    }
    seenKeys.add(decoded.value.ip);
    whitelist.apply(decoded.value);
  });
  return { whitelist, seenKeys, subscription, topic };
}
