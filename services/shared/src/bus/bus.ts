/**
 * The message bus the services talk through. Kafka in production (kafka-bus.ts), an in-process
 * log for the embedded default and unit tests (memory-bus.ts); one contract suite proves both.
 * kafkajs is in maintenance mode: nothing outside bus/ may import it, so it can be swapped.
 */
export interface OutgoingMessage {
  /** Partitioning key; also the compaction key on compacted topics. */
  key?: string | null;
  value: string | null;
  headers?: Record<string, string>;
}

export interface IncomingMessage {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: string | null;
  headers: Record<string, string>;
  /** Broker append time, epoch ms. */
  timestamp: number;
}

export interface GroupSubscription {
  groupId: string;
  topics: string[];
  /** Where a group with no committed offset starts. */
  fromBeginning: boolean;
  /**
   * Called with consecutive messages of one partition. Offsets are committed only after it
   * resolves; if it throws, the same messages are delivered again (at-least-once).
   */
  handleBatch(messages: IncomingMessage[]): Promise<void>;
}

export interface Subscription {
  stop(): Promise<void>;
}

export interface PartitionLag {
  topic: string;
  partition: number;
  /** Offset of the next message to be written. */
  endOffset: number;
  /** Next offset the group will read; null when the group never committed on this partition. */
  committedOffset: number | null;
  lag: number;
}

export interface Bus {
  /** Resolves once every message is durably acknowledged (acks=all); rejects with BusUnavailableError. */
  publish(topic: string, messages: OutgoingMessage[]): Promise<void>;
  /** Joins a consumer group: replicas sharing a groupId split the partitions. */
  subscribe(subscription: GroupSubscription): Promise<Subscription>;
  /**
   * Reads a topic from its first offset without a consumer group and keeps following it; the
   * returned promise resolves once everything present at call time was delivered. Used to rebuild
   * state (the whitelist) from a compacted topic on every replica.
   */
  follow(topic: string, onMessage: (message: IncomingMessage) => void): Promise<Subscription>;
  /** Per-partition lag of a consumer group. */
  lag(groupId: string, topic: string): Promise<PartitionLag[]>;
  /** Rejects when the bus cannot be reached (readiness). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** The bus could not take the message now; the caller should answer 503 and let the client retry. */
export class BusUnavailableError extends Error {
  override readonly name = "BusUnavailableError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
