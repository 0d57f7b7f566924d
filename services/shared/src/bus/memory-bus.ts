/**
 * In-process bus for the embedded default and unit tests. It keeps Kafka's semantics that the
 * services rely on: ordered partitions, consumer groups with committed offsets, redelivery of a
 * batch whose handler threw, and replay from the start. Topics named in `durableTopics` are
 * appended to `<dataDir>/<topic>.ndjson` (mode 0600) so state such as the whitelist survives a
 * restart; with a `dataDir`, every topic's offsets also continue where the last run stopped.
 *
 * Memory stays bounded like Kafka's retention: a topic keeps its newest `retainMessages`, and older
 * ones only until every consumer group has committed them and no follower still has to read them.
 * `compactedTopics` keep only each key's latest message, read or not, as Kafka's compaction does.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { sendTraced } from "../telemetry/messaging.ts";
import type { Bus, GroupSubscription, IncomingMessage, OutgoingMessage, PartitionLag, Subscription } from "./bus.ts";

export interface MemoryBusOptions {
  dataDir?: string;
  durableTopics?: string[];
  /** Topics that keep only each key's latest message (Kafka's cleanup.policy=compact). */
  compactedTopics?: string[];
  /** Newest messages a topic keeps even when consumed (for followers, groups joining later); 1,000 by default. */
  retainMessages?: number;
  maxBatchSize?: number;
  /** Delay before redelivering a batch whose handler threw. */
  retryDelayMs?: number;
}

/** The next offset a consumer group or a follower reads. */
interface Cursor {
  offset: number;
}

interface TopicLog {
  /** Ascending offsets; gaps where messages were trimmed or compacted away. */
  messages: IncomingMessage[];
  /** Offset of the next message appended. */
  end: number;
  /** Every group's and follower's position: nothing they have yet to read is dropped. */
  cursors: Set<Cursor>;
  /** Offset of each key's latest message, on compacted topics. */
  latest: Map<string, number> | null;
}

interface Group {
  committed: Map<string, Cursor>;
  active: boolean;
}

const offsetOf = (message: IncomingMessage): number => Number(message.offset);

/** Index of the first message at or after `offset`. */
function indexOf(messages: IncomingMessage[], offset: number): number {
  let low = 0;
  let high = messages.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (offsetOf(messages[middle] as IncomingMessage) < offset) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** What a durable topic's journal holds per message. */
const journalLine = (message: IncomingMessage): string =>
  `${JSON.stringify({ key: message.key, value: message.value, headers: message.headers, timestamp: message.timestamp })}\n`;

/**
 * Every topic's next offset, appended after each publish and continued on start: messages keep
 * offsets a previous run used, so ids derived from them (the processed documents' `<topic>-0-<offset>`)
 * never repeat across restarts while the documents themselves are kept. Compacted on start and
 * every 10,000 records, so the file stays small.
 */
function nextOffsetsFile(
  file: string,
  topicLog: (topic: string) => { end: number },
): { record(topic: string, end: number): void } {
  const ends = new Map<string, number>();
  if (existsSync(file)) {
    for (const line of readFileSync(file, "utf8").split("\n")) {
      // A line cut short by a crash is skipped; the one before it still holds that topic's offset.
      const parsed = /^\{"topic":(".*"),"end":(\d+)\}$/.exec(line);
      if (parsed === null) continue;
      const topic = JSON.parse(parsed[1] as string) as string;
      ends.set(topic, Math.max(ends.get(topic) ?? 0, Number(parsed[2])));
    }
  }
  for (const [topic, end] of ends) topicLog(topic).end = Math.max(topicLog(topic).end, end);
  const line = (topic: string, end: number): string => `${JSON.stringify({ topic, end })}\n`;
  const compact = (): void => {
    writeFileSync(`${file}.tmp`, [...ends].map(([topic, end]) => line(topic, end)).join(""), { mode: 0o600 });
    renameSync(`${file}.tmp`, file);
  };
  compact();
  let records = 0;
  return {
    record(topic, end) {
      ends.set(topic, end);
      if (++records % 10_000 === 0) compact();
      else appendFileSync(file, line(topic, end), { mode: 0o600 });
    },
  };
}

export function createMemoryBus(options: MemoryBusOptions = {}): Bus {
  const maxBatchSize = options.maxBatchSize ?? 500;
  const retryDelayMs = options.retryDelayMs ?? 200;
  const retainMessages = options.retainMessages ?? 1_000;
  const durable = new Set(options.durableTopics ?? []);
  const compacted = new Set(options.compactedTopics ?? []);
  const topics = new Map<string, TopicLog>();
  const groups = new Map<string, Group>();
  const wakers = new Set<() => void>();
  let closed = false;

  const log = (topic: string): TopicLog => {
    let topicLog = topics.get(topic);
    if (topicLog === undefined) {
      topicLog = { messages: [], end: 0, cursors: new Set(), latest: compacted.has(topic) ? new Map() : null };
      topics.set(topic, topicLog);
    }
    return topicLog;
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
    const topicLog = log(topic);
    const incoming: IncomingMessage = {
      topic,
      partition: 0,
      offset: String(topicLog.end),
      key: message.key ?? null,
      value: message.value,
      headers: { ...message.headers },
      timestamp,
    };
    topicLog.messages.push(incoming);
    if (topicLog.latest !== null && incoming.key !== null) topicLog.latest.set(incoming.key, topicLog.end);
    topicLog.end += 1;
    return incoming;
  };

  /**
   * Drops messages older than the retained ones that every group committed and every follower read,
   * once they are half the topic so the copying stays linear overall. A compacted topic instead
   * drops a key's earlier messages at once, as Kafka's compaction does, and keyless ones.
   */
  const trim = (topicLog: TopicLog): void => {
    const { messages, latest } = topicLog;
    const floor = Math.min(topicLog.end - retainMessages, ...Array.from(topicLog.cursors, (cursor) => cursor.offset));
    const below = indexOf(messages, floor);
    if (latest !== null)
      topicLog.messages = messages.filter((m, i) => (m.key === null ? i >= below : latest.get(m.key) === offsetOf(m)));
    else if (below > 0 && below * 2 >= messages.length) topicLog.messages = messages.slice(below);
  };

  const journalOf = (dataDir: string, topic: string): string => join(dataDir, `${topic}.ndjson`);
  if (options.dataDir !== undefined) {
    mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
    for (const topic of durable) {
      const file = journalOf(options.dataDir, topic);
      if (!existsSync(file)) continue;
      for (const line of readFileSync(file, "utf8").split("\n")) {
        if (line.trim() === "") continue;
        const stored = JSON.parse(line) as OutgoingMessage & { timestamp: number };
        append(topic, stored, stored.timestamp);
      }
      // Rewritten with what is kept, so the journal shrinks like the topic (and is 0600 if an older one was not).
      const topicLog = log(topic);
      trim(topicLog);
      rmSync(`${file}.tmp`, { force: true });
      writeFileSync(`${file}.tmp`, topicLog.messages.map(journalLine).join(""), { mode: 0o600 });
      renameSync(`${file}.tmp`, file);
    }
  }
  const persist = (topic: string, message: IncomingMessage): void => {
    if (options.dataDir === undefined || !durable.has(topic)) return;
    appendFileSync(journalOf(options.dataDir, topic), journalLine(message), { mode: 0o600 });
  };
  const offsets =
    options.dataDir === undefined
      ? null
      : nextOffsetsFile(join(options.dataDir, "next-offsets.ndjson"), (topic) => log(topic));

  const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

  /** A group's position on a topic, created where Kafka would start it; trimming waits for it from then on. */
  const cursorOf = (group: Group, topic: string, fromBeginning: boolean): Cursor => {
    let cursor = group.committed.get(topic);
    if (cursor === undefined) {
      const topicLog = log(topic);
      cursor = { offset: fromBeginning ? 0 : topicLog.end };
      group.committed.set(topic, cursor);
      topicLog.cursors.add(cursor);
    }
    return cursor;
  };

  return {
    publish(topic, messages) {
      return sendTraced(topic, messages, async (stamped) => {
        for (const message of stamped) persist(topic, append(topic, message));
        offsets?.record(topic, log(topic).end);
        trim(log(topic));
        wakeAll();
      });
    },

    async subscribe(subscription: GroupSubscription): Promise<Subscription> {
      const group = groups.get(subscription.groupId) ?? { committed: new Map<string, Cursor>(), active: false };
      groups.set(subscription.groupId, group);
      let stopped = false;
      // Like a single-partition Kafka topic: one member of a group consumes, the others wait.
      const pump = async (): Promise<void> => {
        while (group.active && !stopped && !closed) await nextPublish();
        if (stopped || closed) return;
        group.active = true;
        const cursors = subscription.topics.map((topic) => cursorOf(group, topic, subscription.fromBeginning));
        try {
          while (!stopped && !closed) {
            let delivered = false;
            for (const [i, topic] of subscription.topics.entries()) {
              const topicLog = log(topic);
              const cursor = cursors[i] as Cursor;
              const start = indexOf(topicLog.messages, cursor.offset);
              const batch = topicLog.messages.slice(start, start + maxBatchSize);
              const last = batch.at(-1);
              if (last === undefined) continue;
              try {
                await subscription.handleBatch(batch);
                cursor.offset = offsetOf(last) + 1;
                trim(topicLog);
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
      const topicLog = log(topic);
      const cursor: Cursor = { offset: 0 };
      topicLog.cursors.add(cursor);
      let stopped = false;
      // Looked up per message: a handler that publishes may trim the array meanwhile.
      const next = (): IncomingMessage | undefined => topicLog.messages[indexOf(topicLog.messages, cursor.offset)];
      const drain = (): void => {
        for (let message = next(); !stopped && message !== undefined; message = next()) {
          cursor.offset = offsetOf(message) + 1;
          onMessage(message);
        }
        trim(topicLog);
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
          topicLog.cursors.delete(cursor);
          trim(topicLog);
          wakeAll();
          await running;
        },
      };
    },

    async lag(groupId, topic): Promise<PartitionLag[]> {
      const endOffset = log(topic).end;
      const committed = groups.get(groupId)?.committed.get(topic)?.offset ?? null;
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
