/**
 * What each pipeline's `config-updates` topic says now, read like any replica does (from the first
 * offset, then following). The operator diffs against it, not only against its own record, so a
 * change made behind its back (a message produced straight to the topic) is corrected. Followers
 * belong to the Kafka client they read through, and stop when the pool closes it.
 */
import { followWhitelist, type Bus, type Logger, type Whitelist, type WhitelistFollower } from "@soc/shared";

export class TopicWhitelists {
  readonly #followers = new Map<Bus, Map<string, Promise<WhitelistFollower>>>();

  constructor(private readonly logger: Logger) {}

  /** Resolves once the topic was read up to its end when first asked. */
  async get(bus: Bus, topic: string): Promise<Whitelist> {
    let ofBus = this.#followers.get(bus);
    if (ofBus === undefined) {
      ofBus = new Map();
      this.#followers.set(bus, ofBus);
    }
    let follower = ofBus.get(topic);
    if (follower === undefined) {
      follower = followWhitelist(bus, this.logger, topic);
      ofBus.set(topic, follower);
      // A failed attempt is forgotten so the next reconcile tries again.
      const followers = ofBus;
      follower.catch(() => followers.delete(topic));
    }
    return (await follower).whitelist;
  }

  /** Stops the followers reading through `bus` (it is about to close). */
  async forget(bus: Bus): Promise<void> {
    const followers = [...(this.#followers.get(bus)?.values() ?? [])];
    this.#followers.delete(bus);
    await this.#stop(followers);
  }

  async close(): Promise<void> {
    const followers = [...this.#followers.values()].flatMap((ofBus) => [...ofBus.values()]);
    this.#followers.clear();
    await this.#stop(followers);
  }

  async #stop(followers: Promise<WhitelistFollower>[]): Promise<void> {
    const results = await Promise.allSettled(followers.map(async (follower) => (await follower).subscription.stop()));
    for (const result of results)
      if (result.status === "rejected")
        this.logger.warn({ err: result.reason }, "stopping a config-updates follower failed");
  }
}
