import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { silentLogger, TOPICS } from "@soc/shared";
import { createMemoryBus, createMemoryCounters } from "@soc/shared/memory";
import { createElasticsearchStore } from "@soc/shared/elasticsearch";
import { createRegistry } from "@soc/shared/telemetry";
import { eventually, missingInfra, realInfra, uniqueName } from "@soc/shared/testing";
import { DEFAULT_KEYWORDS } from "../detection/config.ts";
import { createWorker } from "../worker.ts";
import { createPatternAssigner, type LineToMine, type PatternAssigner } from "./assigner.ts";
import { createRedisTemplateStore } from "./template-store.ts";

/** The assigner's id and template per line, each line a second after the previous, nothing new yet. */
let clock = 1_700_000_000;
const mined = async (assign: PatternAssigner, lines: Omit<LineToMine, "timeSeconds" | "logId">[]) =>
  (
    await assign(
      lines.map((line) => ({ ...line, timeSeconds: clock, logId: `logs-0-${clock++}` })),
      { lines: 0, minutes: 0 },
    )
  ).map(({ id, template }) => ({ id, template }));

const detection = {
  keywords: DEFAULT_KEYWORDS,
  bruteForce: { threshold: 5, windowSeconds: 300 },
  spike: { baselineMinutes: 60, minRequestsPerMinute: 30, sigma: 3 },
};
const failed = (user: string, i: number) => ({
  message: `Failed password for ${user} from 198.51.100.${i} port ${4000 + i} ssh2`,
  source: "sshd",
});

describe.skipIf(missingInfra("redisUrl"))("templates in Redis", () => {
  const redis = new Redis(realInfra.redisUrl ?? "");
  afterAll(() => redis.disconnect());

  it("survive a restart, are shared by replicas, and hold only the ids still kept", async () => {
    const prefix = `${uniqueName("patterns")}:`;
    const replicaA = createPatternAssigner({ store: createRedisTemplateStore(redis, prefix) });
    const [root] = await mined(replicaA, [failed("root", 1)]);
    expect(await redis.hkeys(`${prefix}patterns:sshd`)).toEqual([root?.id]);

    // A replica that starts now (or replica A after a restart) names the template alike.
    const replicaB = createPatternAssigner({ store: createRedisTemplateStore(redis, prefix) });
    expect(await mined(replicaB, [failed("root", 2)])).toEqual([root]);

    // Five user names: one template under the oldest id; the merged ids leave the hash.
    const merged = await mined(replicaB, ["admin", "test", "oracle", "guest"].map(failed));
    expect(merged.at(-1)).toEqual({ id: root?.id, template: "Failed password for <*> from <IP> port <NUM> ssh2" });
    expect(await redis.hkeys(`${prefix}patterns:sshd`)).toEqual([root?.id]);
    const restarted = createPatternAssigner({ store: createRedisTemplateStore(redis, prefix) });
    expect(await mined(restarted, [failed("webmaster", 9)])).toEqual([merged.at(-1)]);
    await redis.del(`${prefix}patterns:sshd`);
  });

  it("skips an entry that is not a template instead of failing the batch", async () => {
    const prefix = `${uniqueName("patterns")}:`;
    await redis.hset(`${prefix}patterns:sshd`, {
      "0123456789abcdef": "{not json",
      ffffffffffffffff: JSON.stringify({ id: "ffffffffffffffff" }),
    });
    const reported: number[] = [];
    const assign = createPatternAssigner({
      store: createRedisTemplateStore(redis, prefix),
      onUnreadable: (_, count) => reported.push(count),
    });
    expect((await mined(assign, [failed("root", 1)]))[0]?.template).toBe(
      "Failed password for root from <IP> port <NUM> ssh2",
    );
    expect(reported).toEqual([2]);
    await redis.del(`${prefix}patterns:sshd`);
  });
});

describe.skipIf(missingInfra("redisUrl") || missingInfra("elasticsearchUrl"))(
  "worker on real Elasticsearch and Redis",
  () => {
    it("indexes pattern.id and pattern.template under the strict processed_logs mapping", async () => {
      const redis = new Redis(realInfra.redisUrl ?? "");
      const store = createElasticsearchStore({
        url: realInfra.elasticsearchUrl ?? "",
        index: uniqueName("patterns-logs"),
        refreshOnWrite: true,
      });
      const bus = createMemoryBus({ retryDelayMs: 10 });
      const patterns = createPatternAssigner({ store: createRedisTemplateStore(redis, `${uniqueName("patterns")}:`) });
      const worker = createWorker({
        bus,
        store,
        counters: createMemoryCounters(),
        detection,
        whitelistSeed: [],
        logger: silentLogger(),
        registry: createRegistry("patterns-it", { defaultMetrics: false }),
        patterns,
      });
      try {
        await worker.start();
        await bus.publish(
          TOPICS.logs,
          [1, 2].map((i) => ({ value: JSON.stringify({ ...failed("root", i), timestamp: 1_700_000_000 + i }) })),
        );
        const docs = await eventually(async () => {
          const page = await store.search({ size: 10 });
          expect(page.items).toHaveLength(2);
          return page.items;
        });
        expect(docs.map((d) => d.pattern?.template)).toEqual(
          Array(2).fill("Failed password for root from <IP> port <NUM> ssh2"),
        );
        expect(new Set(docs.map((d) => d.pattern?.id)).size).toBe(1);
      } finally {
        await worker.stop();
        await store.client.indices
          .delete({ index: `${store.index}*`, ignore_unavailable: true })
          .catch(() => undefined);
        await store.close();
        redis.disconnect();
      }
    });
  },
);
