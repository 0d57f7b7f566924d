/**
 * The Bus on Kafka through kafkajs. kafkajs is in maintenance mode; this file is the only place
 * that imports it, so replacing it touches nothing else.
 */
import { randomUUID } from "node:crypto";
import { createRequire } from "node:module";
import { connect as connectTcp, isIP, Socket } from "node:net";
import { connect as connectTls } from "node:tls";
import {
  Kafka,
  logLevel,
  Partitioners,
  type Consumer,
  type IHeaders,
  type ISocketFactory,
  type Producer,
} from "kafkajs";
import type { Logger } from "../logger.ts";
import { sendTraced } from "../telemetry/messaging.ts";
import {
  BusUnavailableError,
  type Bus,
  type IncomingMessage,
  type OutgoingMessage,
  type PartitionLag,
  type Subscription,
} from "./bus.ts";
import {
  explainKafkaError,
  kafkajsAclEntry,
  kafkajsSecurityOptions,
  PLAINTEXT,
  type AclBinding,
  type KafkaSecurity,
} from "./kafka-security.ts";
import type { TopicSpec } from "./topics.ts";

export interface KafkaBusOptions {
  brokers: string[];
  clientId: string;
  logger: Logger;
  /** TLS and SASL (kafka-security.ts); plaintext when absent. */
  security?: KafkaSecurity;
  /** How long a publish may wait for the broker before the caller is told to retry later. */
  publishTimeoutMs?: number;
  /** Asked before every connection, to bootstrap and to advertised brokers alike; refused ones are never opened. */
  allowConnection?: (host: string, port: number) => boolean;
}

export interface KafkaBus extends Bus {
  ensureTopics(specs: TopicSpec[]): Promise<void>;
  /** Partitions of an existing topic; null when the topic does not exist. */
  partitionCount(topic: string): Promise<number | null>;
  /** Adds partitions up to `total` (Kafka never removes any); new keys may then map to other partitions. */
  raisePartitions(topic: string, total: number): Promise<void>;
  /** Adds ACLs (idempotent: Kafka keeps one copy of each); needs a principal allowed to alter them. */
  ensureAcls(bindings: AclBinding[]): Promise<void>;
}

/** kafkajs' own socket factory, with the connection check in front. */
const guardedSocketFactory =
  (allowConnection: (host: string, port: number) => boolean): ISocketFactory =>
  ({ host, port, ssl, onConnect }) => {
    if (!allowConnection(host, port)) {
      const refused = new Socket();
      process.nextTick(() =>
        refused.destroy(new Error(`connection to ${host}:${port} refused by the client's broker policy`)),
      );
      return refused;
    }
    const socket = ssl
      ? connectTls({ host, port, ...(isIP(host) === 0 ? { servername: host } : {}), ...ssl }, onConnect)
      : connectTcp({ host, port }, onConnect);
    socket.setKeepAlive(true, 60_000);
    return socket;
  };

/**
 * kafkajs 2.2.4 re-arms a timer after every response of a connection even when nothing waits in its
 * queue, with the delay `throttledUntil - now`, negative unless the broker throttled us: Node 24
 * warns (TimeoutNegativeWarning) and runs it after 1 ms, forever, on every connection. No client
 * option avoids it (an open kafkajs bug), so the check is skipped here when nothing is pending and
 * no throttle runs; a queued request still schedules its check, and every response drains the queue.
 */
interface KafkajsRequestQueue {
  pending: unknown[];
  throttledUntil: number;
  scheduleCheckPendingRequests(this: KafkajsRequestQueue): void;
}
const requestQueue = (
  createRequire(import.meta.url)("kafkajs/src/network/requestQueue/index.js") as { prototype: KafkajsRequestQueue }
).prototype;
const scheduleCheckPendingRequests = requestQueue.scheduleCheckPendingRequests;
requestQueue.scheduleCheckPendingRequests = function scheduleOnlyWhenPending(this: KafkajsRequestQueue) {
  if (this.pending.length === 0 && this.throttledUntil <= Date.now()) return;
  scheduleCheckPendingRequests.call(this);
};

const headersToRecord = (headers: IHeaders | undefined): Record<string, string> => {
  const record: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value === undefined) continue;
    record[name] = Array.isArray(value) ? String(value[0]) : value.toString();
  }
  return record;
};

export function createKafkaBus(options: KafkaBusOptions): KafkaBus {
  const { logger } = options;
  const publishTimeoutMs = options.publishTimeoutMs ?? 5_000;
  // kafkajs retries TLS and connection failures until our timeout; the timeout then names the cause.
  let lastClientError: { message: string; at: number } | null = null;
  const kafka = new Kafka({
    clientId: options.clientId,
    brokers: options.brokers,
    ...kafkajsSecurityOptions(options.security ?? PLAINTEXT),
    ...(options.allowConnection === undefined ? {} : { socketFactory: guardedSocketFactory(options.allowConnection) }),
    connectionTimeout: 3_000,
    requestTimeout: publishTimeoutMs,
    logLevel: logLevel.WARN,
    logCreator: () => (entry) => {
      if (entry.level === logLevel.ERROR) lastClientError = { message: entry.log.message, at: Date.now() };
      logger.warn({ kafka: entry.namespace, ...entry.log }, "kafkajs");
    },
  });
  const admin = kafka.admin();
  const consumers = new Set<Consumer>();
  let producer: Producer | null = null;
  let producerReady: Promise<Producer> | null = null;
  let adminReady: Promise<void> | null = null;

  const connectedAdmin = async (): Promise<void> => {
    adminReady ??= admin.connect().catch((error: unknown) => {
      adminReady = null;
      throw error;
    });
    await adminReady;
  };

  const connectedProducer = (): Promise<Producer> => {
    producerReady ??= (async () => {
      const created = kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        createPartitioner: Partitioners.DefaultPartitioner,
        retry: { retries: 3, initialRetryTime: 100, maxRetryTime: 1_000 },
      });
      created.on(created.events.DISCONNECT, () => {
        producerReady = null;
      });
      await created.connect();
      producer = created;
      return created;
    })().catch((error: unknown) => {
      producerReady = null;
      throw error;
    });
    return producerReady;
  };

  const withTimeout = async <T>(work: Promise<T>, what: string): Promise<T> => {
    let timer: NodeJS.Timeout | undefined;
    const started = Date.now();
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const cause =
          lastClientError !== null && lastClientError.at >= started ? `; last error: ${lastClientError.message}` : "";
        reject(new Error(`${what} timed out after ${publishTimeoutMs} ms${cause}`));
      }, publishTimeoutMs);
    });
    try {
      return await Promise.race([work, timeout]);
    } finally {
      clearTimeout(timer);
    }
  };

  // Group commit: the idempotent producer allows one request in flight, so publishes that arrive
  // while one is under way wait and leave together in the next request. Each caller is still
  // answered only once Kafka acknowledged its own messages.
  interface PendingPublish {
    topic: string;
    messages: OutgoingMessage[];
    resolve(): void;
    reject(error: Error): void;
  }
  let pending: PendingPublish[] = [];
  let flushing: Promise<void> | null = null;
  const MAX_MESSAGES_PER_REQUEST = 10_000;

  const takeGroup = (): PendingPublish[] => {
    let count = 0;
    let taken = 0;
    while (
      taken < pending.length &&
      (taken === 0 || count + (pending[taken] as PendingPublish).messages.length <= MAX_MESSAGES_PER_REQUEST)
    ) {
      count += (pending[taken] as PendingPublish).messages.length;
      taken += 1;
    }
    const group = pending.slice(0, taken);
    pending = pending.slice(taken);
    return group;
  };

  const flushPending = async (): Promise<void> => {
    while (pending.length > 0) {
      const group = takeGroup();
      const byTopic = new Map<string, OutgoingMessage[]>();
      for (const item of group) {
        const messages = byTopic.get(item.topic);
        if (messages === undefined) byTopic.set(item.topic, [...item.messages]);
        else messages.push(...item.messages);
      }
      try {
        const ready = await withTimeout(connectedProducer(), "connecting to Kafka");
        await withTimeout(
          ready.sendBatch({
            acks: -1,
            topicMessages: [...byTopic].map(([topic, messages]) => ({
              topic,
              messages: messages.map((m) => ({ key: m.key ?? null, value: m.value, headers: m.headers ?? {} })),
            })),
          }),
          "publishing to Kafka",
        );
        for (const item of group) item.resolve();
      } catch (error) {
        const unavailable = new BusUnavailableError(
          `Kafka did not acknowledge the message: ${explainKafkaError(error)}`,
          { cause: error },
        );
        for (const item of group) item.reject(unavailable);
      }
    }
  };

  const startFlush = (): void => {
    flushing ??= flushPending().finally(() => {
      flushing = null;
      // A caller answered by the last group may have published again before this ran.
      if (pending.length > 0) startFlush();
    });
  };

  const toIncoming = (
    topic: string,
    partition: number,
    message: { offset: string; key: Buffer | null; value: Buffer | null; headers?: IHeaders; timestamp: string },
  ): IncomingMessage => ({
    topic,
    partition,
    offset: message.offset,
    key: message.key?.toString() ?? null,
    value: message.value?.toString() ?? null,
    headers: headersToRecord(message.headers),
    timestamp: Number(message.timestamp),
  });

  const startConsumer = async (groupId: string): Promise<Consumer> => {
    const consumer = kafka.consumer({
      groupId,
      retry: { retries: 10, maxRetryTime: 30_000 },
      allowAutoTopicCreation: false,
    });
    consumer.on(consumer.events.CRASH, (event) =>
      logger.error({ groupId, err: event.payload.error, restart: event.payload.restart }, "kafka consumer crashed"),
    );
    await consumer.connect();
    consumers.add(consumer);
    return consumer;
  };

  const stopConsumer = async (consumer: Consumer): Promise<void> => {
    consumers.delete(consumer);
    await consumer.disconnect();
  };

  return {
    publish(topic, messages) {
      return sendTraced(
        topic,
        messages,
        (stamped) =>
          new Promise<void>((resolve, reject) => {
            pending.push({ topic, messages: stamped, resolve, reject });
            startFlush();
          }),
      );
    },

    async subscribe(subscription): Promise<Subscription> {
      const consumer = await startConsumer(subscription.groupId);
      for (const topic of subscription.topics)
        await consumer.subscribe({ topic, fromBeginning: subscription.fromBeginning });
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        eachBatch: async ({ batch, heartbeat, isRunning, isStale, resolveOffset }) => {
          if (!isRunning() || isStale() || batch.messages.length === 0) return;
          const messages = batch.messages.map((m) => toIncoming(batch.topic, batch.partition, m));
          // Throwing here makes kafkajs redeliver from the last committed offset.
          await subscription.handleBatch(messages);
          const last = messages[messages.length - 1] as IncomingMessage;
          resolveOffset(last.offset);
          await consumer.commitOffsets([
            { topic: batch.topic, partition: batch.partition, offset: String(BigInt(last.offset) + 1n) },
          ]);
          await heartbeat();
        },
      });
      return { stop: () => stopConsumer(consumer) };
    },

    async follow(topic, onMessage): Promise<Subscription> {
      await connectedAdmin();
      const ends = await admin.fetchTopicOffsets(topic);
      const pending = new Map(
        ends.filter((p) => BigInt(p.high) > BigInt(p.low)).map((p) => [p.partition, BigInt(p.high) - 1n]),
      );
      let caughtUp!: () => void;
      const ready = new Promise<void>((resolve) => {
        caughtUp = resolve;
      });
      if (pending.size === 0) caughtUp();
      // A throwaway group: the topic is always read from its first offset, nothing is committed.
      const groupId = `${options.clientId}-follow-${randomUUID()}`;
      const consumer = await startConsumer(groupId);
      await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachMessage: async ({ partition, message }) => {
          onMessage(toIncoming(topic, partition, message));
          const last = pending.get(partition);
          if (last !== undefined && BigInt(message.offset) >= last) {
            pending.delete(partition);
            if (pending.size === 0) caughtUp();
          }
        },
      });
      await ready;
      return {
        async stop() {
          await stopConsumer(consumer);
          await admin.deleteGroups([groupId]).catch(() => undefined);
        },
      };
    },

    async lag(groupId, topic): Promise<PartitionLag[]> {
      await connectedAdmin();
      const [ends, committed] = await Promise.all([
        admin.fetchTopicOffsets(topic),
        admin.fetchOffsets({ groupId, topics: [topic] }),
      ]);
      const committedByPartition = new Map(
        (committed[0]?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]),
      );
      return ends.map((end) => {
        const endOffset = Number(end.high);
        const offset = committedByPartition.get(end.partition);
        const committedOffset = offset === undefined || offset < 0 ? null : offset;
        return {
          topic,
          partition: end.partition,
          endOffset,
          committedOffset,
          lag: endOffset - (committedOffset ?? Number(end.low)),
        };
      });
    },

    async ping() {
      try {
        await withTimeout(connectedAdmin(), "connecting to Kafka");
        await withTimeout(admin.describeCluster(), "describing the Kafka cluster");
      } catch (error) {
        throw new BusUnavailableError(`Kafka is unreachable: ${explainKafkaError(error)}`, { cause: error });
      }
    },

    async ensureTopics(specs) {
      await connectedAdmin();
      const existing = new Set(await admin.listTopics());
      const missing = specs.filter((spec) => !existing.has(spec.topic));
      if (missing.length === 0) return;
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((spec) => ({
          topic: spec.topic,
          numPartitions: spec.partitions,
          replicationFactor: -1,
          configEntries: Object.entries(spec.config).map(([name, value]) => ({ name, value })),
        })),
      });
    },

    async partitionCount(topic) {
      await connectedAdmin();
      if (!(await admin.listTopics()).includes(topic)) return null;
      const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
      return metadata.topics[0]?.partitions.length ?? null;
    },

    async raisePartitions(topic, total) {
      await connectedAdmin();
      await admin.createPartitions({ topicPartitions: [{ topic, count: total }] });
    },

    async ensureAcls(bindings) {
      await connectedAdmin();
      if (bindings.length > 0) await admin.createAcls({ acl: bindings.map(kafkajsAclEntry) });
    },

    async close() {
      await Promise.allSettled([...consumers].map((consumer) => stopConsumer(consumer)));
      await Promise.allSettled([producer?.disconnect(), adminReady === null ? undefined : admin.disconnect()]);
    },
  };
}
