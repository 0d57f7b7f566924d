import { chmodSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { eventually } from "../testing/eventually.ts";
import { uniqueName } from "../testing/infra.ts";
import type { Bus, IncomingMessage } from "./bus.ts";
import { busContract } from "./bus.contract.ts";
import { createMemoryBus } from "./memory-bus.ts";

/** What a follower starting from the beginning gets now: the messages the bus still holds. */
async function retained(bus: Bus, topic: string): Promise<IncomingMessage[]> {
  const seen: IncomingMessage[] = [];
  const subscription = await bus.follow(topic, (message) => seen.push(message));
  await subscription.stop();
  return seen;
}

const values = (messages: IncomingMessage[]): (string | null)[] => messages.map((m) => m.value);
const numbered = (from: number, count: number) =>
  Array.from({ length: count }, (_, i) => ({ value: String(from + i) }));
const modeOf = (file: string): number => statSync(file).mode & 0o777;

/** The bus trims in halves: it holds the newest `retain` to `2 × retain` of `total` messages numbered from 0. */
function expectNewest(kept: IncomingMessage[], total: number, retain: number): void {
  expect(kept.length).toBeGreaterThanOrEqual(retain);
  expect(kept.length).toBeLessThan(2 * retain);
  expect(values(kept)).toEqual(numbered(total - kept.length, kept.length).map((m) => m.value));
}

describe("in-memory bus", () => {
  busContract(
    async () => ({ bus: createMemoryBus({ retryDelayMs: 10 }), createTopic: async (prefix) => uniqueName(prefix) }),
    2_000,
  );

  it("lets go of what every group consumed, and keeps what a slower group has not", async () => {
    const bus = createMemoryBus({ retryDelayMs: 10, maxBatchSize: 100, retainMessages: 100 });
    const topic = uniqueName("logs");
    const total = 10_000;
    let fast = 0;
    const slow: string[] = [];
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    const fastGroup = await bus.subscribe({
      groupId: "fast",
      topics: [topic],
      fromBeginning: true,
      handleBatch: async (batch) => void (fast += batch.length),
    });
    const slowGroup = await bus.subscribe({
      groupId: "slow",
      topics: [topic],
      fromBeginning: true,
      handleBatch: async (batch) => {
        await gate;
        slow.push(...values(batch).map(String));
      },
    });
    for (let from = 0; from < total; from += 100) await bus.publish(topic, numbered(from, 100));
    await eventually(() => expect(fast).toBe(total));
    expect(await retained(bus, topic)).toHaveLength(total);

    release();
    await eventually(() => expect(slow).toHaveLength(total));
    expect(slow).toEqual(numbered(0, total).map((m) => m.value));
    // The newest stay, like Kafka's retention, for followers and groups joining later.
    await eventually(async () => expectNewest(await retained(bus, topic), total, 100));
    expect(await bus.lag("slow", topic)).toEqual([
      { topic, partition: 0, endOffset: total, committedOffset: total, lag: 0 },
    ]);
    await Promise.all([fastGroup.stop(), slowGroup.stop()]);
    await bus.close();
  });

  it("keeps only the newest messages of a topic no group consumes", async () => {
    const bus = createMemoryBus({ retainMessages: 100 });
    const topic = uniqueName("alerts");
    for (let from = 0; from < 5_000; from += 10) await bus.publish(topic, numbered(from, 10));
    expectNewest(await retained(bus, topic), 5_000, 100);
    await bus.close();
  });

  it("keeps each key's latest message on a compacted topic, read or not", async () => {
    const topic = uniqueName("config-updates");
    const bus = createMemoryBus({ compactedTopics: [topic] });
    for (let i = 0; i < 1_000; i++)
      await bus.publish(topic, [{ key: `10.0.0.${i % 3}`, value: i % 2 === 0 ? `add ${i}` : `remove ${i}` }]);
    const kept = await retained(bus, topic);
    expect(kept.map((m) => [m.key, m.value])).toEqual([
      ["10.0.0.1", "remove 997"],
      ["10.0.0.2", "add 998"],
      ["10.0.0.0", "remove 999"],
    ]);
    await bus.close();
  });

  it("journals with mode 0600 and restarts from a compacted journal with the same latest values", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "soc-bus-"));
    const topic = "config-updates";
    const file = join(dataDir, `${topic}.ndjson`);
    const options = { dataDir, durableTopics: [topic], compactedTopics: [topic] };
    const before = createMemoryBus(options);
    for (let i = 0; i < 500; i++) await before.publish(topic, [{ key: `10.0.0.${i % 5}`, value: `v${i}` }]);
    expect(modeOf(file)).toBe(0o600);
    await before.close();

    const after = createMemoryBus(options);
    const latest = (await retained(after, topic)).map((m) => [m.key, m.value]);
    expect(latest).toEqual([0, 1, 2, 3, 4].map((k) => [`10.0.0.${k}`, `v${495 + k}`]));
    expect(readFileSync(file, "utf8").trim().split("\n")).toHaveLength(5);
    expect(modeOf(file)).toBe(0o600);
    await after.close();
  });

  it("tightens a journal an older version left world-readable", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "soc-bus-"));
    const file = join(dataDir, "config-updates.ndjson");
    writeFileSync(file, `${JSON.stringify({ key: "10.0.0.1", value: "add", headers: {}, timestamp: 1 })}\n`);
    chmodSync(file, 0o644);
    const bus = createMemoryBus({ dataDir, durableTopics: ["config-updates"], compactedTopics: ["config-updates"] });
    expect(modeOf(file)).toBe(0o600);
    expect(values(await retained(bus, "config-updates"))).toEqual(["add"]);
    await bus.close();
  });
});
