/**
 * In-process bus for the embedded default and unit tests. It keeps Kafka's semantics that the
 * services rely on: ordered partitions, consumer groups with committed offsets, redelivery of a
 * batch whose handler threw, and replay from the start. Topics named in `durableTopics` are
 * appended to `<dataDir>/<topic>.ndjson` so state such as the whitelist survives a restart.
 */
import { appendFileSync, mkdirSync, readFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import type { Bus, GroupSubscription, IncomingMessage, OutgoingMessage, PartitionLag, Subscription } from "./bus.ts";

export interface MemoryBusOptions {
  dataDir?: string;
  durableTopics?: string[];
  maxBatchSize?: number;
  /** Delay before redelivering a batch whose handler threw. */
  retryDelayMs?: number;
}

interface Group {
  committed: Map<string, number>;
  active: boolean;
}

export function createMemoryBus(options: MemoryBusOptions = {}): Bus {
  const maxBatchSize = options.maxBatchSize ?? 500;
  const retryDelayMs = options.retryDelayMs ?? 200;
  const durable = new Set(options.durableTopics ?? []);
  const topics = new Map<string, IncomingMessage[]>();
  const groups = new Map<string, Group>();
  const wakers = new Set<() => void>();
  let closed = false;

  const log = (topic: string): IncomingMessage[] => {
    let messages = topics.get(topic);
    if (messages === undefined) {
      messages = [];
      topics.set(topic, messages);
    }
    return messages;
  };
  const wakeAll = (): void => {
    for (const wake of [...wakers]) wake();
  };
  const nextPublish = (): Promise<void> =>
    new Promise((resolve) => {
      const wake = (): void => {
        wakers.delete(wake);
        resolve();
      };
      wakers.add(wake);
    });

  const append = (topic: string, message: OutgoingMessage, timestamp = Date.now()): IncomingMessage => {
    const messages = log(topic);
    const incoming: IncomingMessage = {
      topic,
      partition: 0,
      offset: String(messages.length),
      key: message.key ?? null,
      value: message.value,
      headers: { ...message.headers },
      timestamp,
    };
    messages.push(incoming);
    return incoming;
  };

  if (options.dataDir !== undefined) {
    mkdirSync(options.dataDir, { recursive: true });
    for (const topic of durable) {
      const file = join(options.dataDir, `${topic}.ndjson`);
      if (!existsSync(file)) continue;
      for (const line of readFileSync(file, "utf8").split("\n")) {
        if (line.trim() === "") continue;
        const stored = JSON.parse(line) as OutgoingMessage & { timestamp: number };
        append(topic, stored, stored.timestamp);
      }
    }
  }
  const persist = (topic: string, message: IncomingMessage): void => {
    if (options.dataDir === undefined || !durable.has(topic)) return;
    const record = { key: message.key, value: message.value, headers: message.headers, timestamp: message.timestamp };
    appendFileSync(join(options.dataDir, `${topic}.ndjson`), `${JSON.stringify(record)}\n`);
  };

  const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

  return {
    async publish(topic, messages) {
      for (const message of messages) persist(topic, append(topic, message));
      wakeAll();
    },

    async subscribe(subscription: GroupSubscription): Promise<Subscription> {
      const group = groups.get(subscription.groupId) ?? { committed: new Map<string, number>(), active: false };
      groups.set(subscription.groupId, group);
      let stopped = false;
      // Like a single-partition Kafka topic: one member of a group consumes, the others wait.
      const pump = async (): Promise<void> => {
        while (group.active && !stopped && !closed) await nextPublish();
        if (stopped || closed) return;
        group.active = true;
        try {
          while (!stopped && !closed) {
            let delivered = false;
            for (const topic of subscription.topics) {
              const messages = log(topic);
              const start = group.committed.get(topic) ?? (subscription.fromBeginning ? 0 : messages.length);
              group.committed.set(topic, start);
              if (start >= messages.length) continue;
              const batch = messages.slice(start, start + maxBatchSize);
              try {
                await subscription.handleBatch(batch);
                group.committed.set(topic, start + batch.length);
                delivered = true;
              } catch {
                await sleep(retryDelayMs);
                delivered = true;
              }
            }
            if (!delivered) await nextPublish();
          }
        } finally {
          group.active = false;
          wakeAll();
        }
      };
      const running = pump();
      return {
        async stop() {
          stopped = true;
          wakeAll();
          await running;
        },
      };
    },

    async follow(topic, onMessage) {
      let stopped = false;
      let position = 0;
      const drain = (): void => {
        const messages = log(topic);
        while (!stopped && position < messages.length) onMessage(messages[position++] as IncomingMessage);
      };
      drain();
      const loop = async (): Promise<void> => {
        while (!stopped && !closed) {
          await nextPublish();
          drain();
        }
      };
      const running = loop();
      return {
        async stop() {
          stopped = true;
          wakeAll();
          await running;
        },
      };
    },

    async lag(groupId, topic): Promise<PartitionLag[]> {
      const endOffset = log(topic).length;
      const committed = groups.get(groupId)?.committed.get(topic) ?? null;
      return [{ topic, partition: 0, endOffset, committedOffset: committed, lag: endOffset - (committed ?? 0) }];
    },

    async ping() {
      if (closed) throw new Error("bus is closed");
    },

    async close() {
      closed = true;
      wakeAll();
    },
  };
}
