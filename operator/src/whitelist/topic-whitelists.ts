/**
 * What each pipeline's `config-updates` topic says now, read like any replica does (from the first
 * offset, then following). The operator diffs against it, not only against its own record, so a
 * change made behind its back (a message produced straight to the topic) is corrected.
 */
import { followWhitelist, type Bus, type Logger, type Whitelist, type WhitelistFollower } from "@soc/shared";

export class TopicWhitelists {
  readonly #followers = new Map<string, Promise<WhitelistFollower>>();

  constructor(private readonly logger: Logger) {}

  /** Resolves once the topic was read up to its end when first asked. */
  async get(bus: Bus, brokers: readonly string[], topic: string): Promise<Whitelist> {
    const key = `${[...brokers].sort().join(",")}|${topic}`;
    let follower = this.#followers.get(key);
    if (follower === undefined) {
      follower = followWhitelist(bus, this.logger, topic);
      this.#followers.set(key, follower);
      // A failed attempt is forgotten so the next reconcile tries again.
      follower.catch(() => this.#followers.delete(key));
    }
    return (await follower).whitelist;
  }

  async close(): Promise<void> {
    const followers = [...this.#followers.values()];
    this.#followers.clear();
    const results = await Promise.allSettled(followers.map(async (follower) => (await follower).subscription.stop()));
    for (const result of results) if (result.status === "rejected") this.logger.warn({ err: result.reason }, "stopping a config-updates follower failed");
  }
}
