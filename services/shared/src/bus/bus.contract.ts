/** The behaviour every Bus adapter must have; run against the in-memory bus and real Kafka. */
import { afterAll, expect, it } from "vitest";
import { eventually } from "../testing/eventually.ts";
import { uniqueName } from "../testing/infra.ts";
import type { Bus, IncomingMessage } from "./bus.ts";

export interface BusFixture {
  bus: Bus;
  /** A fresh, empty topic with one partition. */
  createTopic(prefix: string): Promise<string>;
}

const values = (messages: IncomingMessage[]): (string | null)[] => messages.map((message) => message.value);

export function busContract(makeFixture: () => Promise<BusFixture>, timeoutMs = 30_000): void {
  let fixture: BusFixture | undefined;
  const setup = async (): Promise<BusFixture> => (fixture ??= await makeFixture());
  afterAll(async () => {
    await fixture?.bus.close();
  });

  it(
    "delivers published messages in order with their keys and headers",
    async () => {
      const { bus, createTopic } = await setup();
      const topic = await createTopic("order");
      await bus.publish(topic, [
        { key: "k1", value: "one", headers: { traceparent: "00-abc-def-01" } },
        { key: null, value: "two" },
      ]);
      const received: IncomingMessage[] = [];
      const subscription = await bus.subscribe({
        groupId: uniqueName("g"),
        topics: [topic],
        fromBeginning: true,
        handleBatch: async (batch) => void received.push(...batch),
      });
      await eventually(() => expect(values(received)).toEqual(["one", "two"]), { timeoutMs });
      await subscription.stop();
      expect(received[0]).toMatchObject({ topic, key: "k1", headers: { traceparent: "00-abc-def-01" } });
    },
    timeoutMs * 2,
  );

  it(
    "acknowledges publishes made one after another, each as soon as the last was answered",
    async () => {
      const { bus, createTopic } = await setup();
      const topic = await createTopic("sequential");
      for (let i = 0; i < 20; i++) await bus.publish(topic, [{ value: String(i) }]);
      expect((await bus.lag(uniqueName("g"), topic))[0]?.endOffset).toBe(20);
    },
    timeoutMs,
  );

  it(
    "redelivers a batch whose handler threw, and commits only after success",
    async () => {
      const { bus, createTopic } = await setup();
      const topic = await createTopic("redeliver");
      const groupId = uniqueName("g");
      await bus.publish(topic, [{ value: "a" }, { value: "b" }]);
      let attempts = 0;
      const processed: string[] = [];
      const first = await bus.subscribe({
        groupId,
        topics: [topic],
        fromBeginning: true,
        handleBatch: async (batch) => {
          attempts += 1;
          if (attempts === 1) throw new Error("store down");
          processed.push(...batch.map((message) => message.value ?? ""));
        },
      });
      await eventually(() => expect(processed).toEqual(["a", "b"]), { timeoutMs });
      await first.stop();
      expect(attempts).toBeGreaterThanOrEqual(2);

      // A new member of the same group starts after the committed offset: nothing is seen twice.
      await bus.publish(topic, [{ value: "c" }]);
      const later: string[] = [];
      const second = await bus.subscribe({
        groupId,
        topics: [topic],
        fromBeginning: true,
        handleBatch: async (batch) => void later.push(...batch.map((m) => m.value ?? "")),
      });
      await eventually(() => expect(later).toEqual(["c"]), { timeoutMs });
      await second.stop();
    },
    timeoutMs * 3,
  );

  it(
    "follows a topic from its start, resolving once caught up, then live",
    async () => {
      const { bus, createTopic } = await setup();
      const topic = await createTopic("follow");
      await bus.publish(topic, [
        { key: "1.1.1.1", value: "add" },
        { key: "2.2.2.2", value: "add" },
      ]);
      const seen: string[] = [];
      const subscription = await bus.follow(topic, (message) => seen.push(`${message.key}:${message.value}`));
      expect(seen).toEqual(["1.1.1.1:add", "2.2.2.2:add"]);
      await bus.publish(topic, [{ key: "1.1.1.1", value: "remove" }]);
      await eventually(() => expect(seen).toEqual(["1.1.1.1:add", "2.2.2.2:add", "1.1.1.1:remove"]), { timeoutMs });
      await subscription.stop();
    },
    timeoutMs * 2,
  );

  it(
    "reports a group's lag, with no committed offset before it ever consumed",
    async () => {
      const { bus, createTopic } = await setup();
      const topic = await createTopic("lag");
      const groupId = uniqueName("g");
      await bus.publish(topic, [{ value: "1" }, { value: "2" }, { value: "3" }]);
      expect(await bus.lag(groupId, topic)).toEqual([
        { topic, partition: 0, endOffset: 3, committedOffset: null, lag: 3 },
      ]);
      let consumed = 0;
      const subscription = await bus.subscribe({
        groupId,
        topics: [topic],
        fromBeginning: true,
        handleBatch: async (batch) => void (consumed += batch.length),
      });
      await eventually(() => expect(consumed).toBe(3), { timeoutMs });
      await eventually(
        async () =>
          expect(await bus.lag(groupId, topic)).toEqual([
            { topic, partition: 0, endOffset: 3, committedOffset: 3, lag: 0 },
          ]),
        { timeoutMs },
      );
      await subscription.stop();
    },
    timeoutMs * 2,
  );
}
