import { Redis } from "ioredis";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import {
  silentLogger,
  TOPICS,
  type Bus,
  type IncomingMessage,
  type LogStore,
  type PatternCatalogue,
  type ProcessedLog,
} from "@soc/shared";
import {
  createMemoryBus,
  createMemoryCounters,
  createMemoryPatternCatalogue,
  createMemoryStore,
} from "@soc/shared/memory";
import { createRedisPatternCatalogue } from "@soc/shared/redis";
import { createRegistry } from "@soc/shared/telemetry";
import { eventually, missingInfra, realInfra, uniqueName } from "@soc/shared/testing";
import { DEFAULT_KEYWORDS, type DetectionConfig } from "../detection/config.ts";
import { createWorker, type Worker } from "../worker.ts";
import { createPatternAssigner } from "./assigner.ts";
import { createMemoryTemplateStore, createRedisTemplateStore, type TemplateStore } from "./template-store.ts";

const detection: DetectionConfig = {
  keywords: DEFAULT_KEYWORDS,
  bruteForce: { threshold: 5, windowSeconds: 300 },
  spike: { baselineMinutes: 60, minRequestsPerMinute: 30, sigma: 3 },
  patterns: { warmupLines: 4, warmupMinutes: 0, rateMinPerMinute: 5, familiarAfterLines: 6 },
};
const T0 = 1_700_000_000;
const accepted = (i: number) => ({
  message: `Accepted publickey for deploy from 203.0.113.${i} port ${50_000 + i} ssh2`,
  source: "sshd",
  timestamp: T0 + i,
});

async function read(bus: Bus, topic: string): Promise<IncomingMessage[]> {
  const seen: IncomingMessage[] = [];
  await (await bus.follow(topic, (m) => seen.push(m))).stop();
  return seen;
}

describe("learned rules through the worker", () => {
  const workers: Worker[] = [];
  afterEach(async () => {
    await Promise.all(workers.splice(0).map((w) => w.stop()));
  });

  async function start(
    bus: Bus,
    store: LogStore,
    templates: TemplateStore,
    catalogue: PatternCatalogue,
  ): Promise<void> {
    const patterns = createPatternAssigner({ store: templates, catalogue });
    const worker = createWorker({
      bus,
      store,
      counters: createMemoryCounters(),
      detection,
      whitelistSeed: [],
      logger: silentLogger(),
      registry: createRegistry("learned-test", { defaultMetrics: false }),
      patterns,
      groupId: uniqueName("worker"),
    });
    workers.push(worker);
    await worker.start();
  }

  async function docsAfter(store: LogStore, count: number): Promise<ProcessedLog[]> {
    return eventually(async () => {
      const page = await store.search({ size: 100 });
      expect(page.total).toBe(count);
      return [...page.items].sort((a, b) => a.timestamp - b.timestamp);
    });
  }

  it("raises a template first seen after warm-up as a low-severity anomaly, never notified, and not again after a restart", async () => {
    const bus = createMemoryBus({ retryDelayMs: 10 });
    const store = createMemoryStore();
    const templates = createMemoryTemplateStore();
    const catalogue = createMemoryPatternCatalogue();
    await start(bus, store, templates, catalogue);
    const closed = {
      message: "Connection closed by 203.0.113.7 port 50007 [preauth]",
      source: "sshd",
      timestamp: T0 + 10,
    };
    // The first new template arrives within the warm-up: it is learned, not raised.
    const warmup = [
      { ...closed, message: "Received disconnect from 203.0.113.1 port 50001:11: Bye Bye", timestamp: T0 },
      ...[1, 2, 3].map(accepted),
    ];
    await bus.publish(
      TOPICS.logs,
      [...warmup, closed].map((log) => ({ value: JSON.stringify(log) })),
    );
    const docs = await docsAfter(store, 5);
    expect(docs.map((d) => d.rule ?? null)).toEqual([null, null, null, null, "new_pattern"]);
    expect(docs[4]).toMatchObject({
      is_anomaly: true,
      severity: "low",
      status: "new",
      reason: 'New log pattern from sshd: "Connection closed by <IP> port <NUM> [preauth]".',
      pattern: { template: "Connection closed by <IP> port <NUM> [preauth]" },
    });
    expect(await read(bus, TOPICS.highPriorityAlerts)).toEqual([]);

    await workers.splice(0)[0]?.stop();
    await start(bus, store, templates, catalogue);
    await bus.publish(TOPICS.logs, [{ value: JSON.stringify({ ...closed, timestamp: T0 + 20 }) }]);
    const later = await docsAfter(store, 6);
    expect(later[5]).toMatchObject({ is_anomaly: false, rule: null });
    expect(later[5]?.severity).toBeUndefined();
  });

  it("raises a burst of a rare template at medium, and keeps a keyword on a familiar one an anomaly at informational severity", async () => {
    const bus = createMemoryBus({ retryDelayMs: 10 });
    const store = createMemoryStore();
    await start(bus, store, createMemoryTemplateStore(), createMemoryPatternCatalogue());
    const log = (message: string, timestamp: number) => ({ message, source: "cron", timestamp });
    const warmup = [1, 2, 3, 4].map((i) => log(`backup job ${i} done in 30 s`, T0 + i));
    // Seen once, then five times in one minute an hour later: the fifth line crosses the floor.
    const failover = (at: number) => log("switching to standby link eth1", at);
    const burst = [0, 1, 2, 3, 4].map((i) => failover(T0 + 3_600 + i));
    // A keyword line once a minute, no burst: familiar after six.
    const retries = Array.from({ length: 8 }, (_, i) =>
      log(`backup job ${i} failed, retrying in 30 s`, T0 + 7_200 + 60 * i),
    );
    await bus.publish(
      TOPICS.logs,
      [...warmup, failover(T0 + 5), ...burst, ...retries].map((entry) => ({ value: JSON.stringify(entry) })),
    );
    const docs = await docsAfter(store, 18);
    expect(docs.slice(4, 10).map((d) => [d.rule ?? null, d.severity ?? null])).toEqual([
      ["new_pattern", "low"],
      [null, null],
      [null, null],
      [null, null],
      [null, null],
      ["pattern_rate", "medium"],
    ]);
    expect(docs[9]?.reason).toBe(
      'Burst of a log pattern from cron: "switching to standby link eth1": 5 lines this minute (baseline 0.0 ± 0.0).',
    );
    expect(docs.slice(10).map((d) => [d.rule, d.is_anomaly, d.severity])).toEqual([
      ...Array(6).fill(["keyword", true, "medium"]),
      ...Array(2).fill(["keyword", true, "info"]),
    ]);
    expect(await read(bus, TOPICS.highPriorityAlerts)).toEqual([]);
  });
});

describe.skipIf(missingInfra("redisUrl"))("learned rules on Redis", () => {
  const redis = new Redis(realInfra.redisUrl ?? "");
  const prefix = `${uniqueName("learned")}:`;
  afterAll(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  });

  it("raises a new template once though two replicas mine it, and remembers it after both restart", async () => {
    const replica = () =>
      createPatternAssigner({
        store: createRedisTemplateStore(redis, prefix),
        catalogue: createRedisPatternCatalogue(redis, prefix),
      });
    const warmup = { lines: 2, minutes: 0 };
    const line = (message: string, i: number) => ({
      message,
      source: "sshd",
      timeSeconds: T0 + i,
      logId: `logs-0-${i}`,
    });
    const [a, b] = [replica(), replica()];
    await a(
      [
        line("Accepted publickey for deploy from 203.0.113.1 port 50001 ssh2", 0),
        line("Accepted publickey for deploy from 203.0.113.2 port 50002 ssh2", 1),
      ],
      warmup,
    );
    const closed = "Connection closed by 203.0.113.7 port 50007 [preauth]";
    const [onA, onB] = await Promise.all([a([line(closed, 2)], warmup), b([line(closed, 3)], warmup)]);
    expect([onA?.[0]?.novel, onB?.[0]?.novel].filter(Boolean)).toEqual([true]);
    expect(onA?.[0]?.id).toBe(onB?.[0]?.id);
    const [afterRestart] = await replica()([line(closed, 4)], warmup);
    expect(afterRestart).toMatchObject({ novel: false, seenBefore: 2, warmedUp: true });
  });
});
