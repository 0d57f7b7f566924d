/**
 * One Kafka client per set of brokers, shared by the whitelist publisher and the autoscaler of
 * every pipeline on that cluster. Topics are ensured once per pipeline topic set, so
 * `config-updates` is created compacted rather than auto-created with the broker's defaults.
 */
import { pipelineTopicSpecs, type KafkaBus, type Logger, type PipelineTopics } from "@soc/shared";

export type BusFactory = (brokers: string[]) => KafkaBus;

export class BusPool {
  readonly #buses = new Map<string, KafkaBus>();
  readonly #ensured = new Map<string, Promise<void>>();

  constructor(
    private readonly create: BusFactory,
    private readonly logger: Logger,
  ) {}

  /** `logsPartitions`: of a logs topic this call creates (the reconcile's topic step passes the spec's count; it runs first). */
  async get(brokers: string[], topics: PipelineTopics, logsPartitions?: number): Promise<KafkaBus> {
    const key = [...brokers].sort().join(",");
    let bus = this.#buses.get(key);
    if (bus === undefined) {
      bus = this.create(brokers);
      this.#buses.set(key, bus);
    }
    const topicsKey = `${key}|${topics.logs}|${topics.configUpdates}|${topics.highPriorityAlerts}`;
    let ensured = this.#ensured.get(topicsKey);
    if (ensured === undefined) {
      ensured = bus.ensureTopics(pipelineTopicSpecs(topics, logsPartitions));
      this.#ensured.set(topicsKey, ensured);
      // A failed attempt is forgotten so the next reconcile tries again.
      ensured.catch(() => this.#ensured.delete(topicsKey));
    }
    await ensured;
    return bus;
  }

  async close(): Promise<void> {
    const closing = [...this.#buses.values()].map((bus) => bus.close());
    this.#buses.clear();
    const results = await Promise.allSettled(closing);
    for (const result of results) if (result.status === "rejected") this.logger.warn({ err: result.reason }, "closing a Kafka client failed");
  }
}
