import { afterEach, describe, expect, it } from "vitest";
import { silentLogger, TOPICS, type Bus, type LogStore } from "@soc/shared";
import { createMemoryBus, createMemoryCounters, createMemoryStore } from "@soc/shared/memory";
import { createRegistry } from "@soc/shared/telemetry";
import { eventually } from "@soc/shared/testing";
import { DEFAULT_KEYWORDS } from "../detection/config.ts";
import { createWorker, type Worker } from "../worker.ts";
import { createPatternAssigner, type LineToMine, type PatternAssigner } from "./assigner.ts";
import { createMemoryTemplateStore, type TemplateStore } from "./template-store.ts";

/** The assigner's id and template per line, each line a second after the previous, nothing new yet. */
let clock = 1_700_000_000;
const mined = async (assign: PatternAssigner, lines: Omit<LineToMine, "timeSeconds" | "logId">[]) =>
  (
    await assign(
      lines.map((line) => ({ ...line, timeSeconds: clock, logId: `logs-0-${clock++}` })),
      { lines: 0, minutes: 0 },
    )
  ).map(({ id, template }) => ({ id, template }));

const sshd = (user: string, i: number) => ({
  message: `Failed password for ${user} from 198.51.100.${i} port ${4000 + i} ssh2`,
  source: "sshd",
});

describe("createPatternAssigner", () => {
  it("keeps a template's id across a restart", async () => {
    const store = createMemoryTemplateStore();
    const first = await mined(createPatternAssigner({ store }), [sshd("root", 1)]);
    const afterRestart = await mined(createPatternAssigner({ store }), [sshd("root", 2)]);
    expect(afterRestart).toEqual([
      { id: first[0]?.id, template: "Failed password for root from <IP> port <NUM> ssh2" },
    ]);
  });

  it("mines each source on its own", async () => {
    const assign = createPatternAssigner({ store: createMemoryTemplateStore() });
    await mined(assign, ["root", "admin", "test", "oracle", "guest"].map(sshd));
    const [sshdLine, otherLine] = await mined(assign, [sshd("root", 7), { ...sshd("root", 7), source: "other-app" }]);
    expect(sshdLine?.template).toBe("Failed password for <*> from <IP> port <NUM> ssh2");
    expect(otherLine?.template).toBe("Failed password for root from <IP> port <NUM> ssh2");
  });

  it("stores merges and forgets merged ids, so a restart resolves like the miner that merged", async () => {
    const store = createMemoryTemplateStore();
    const users = ["root", "admin", "test", "oracle", "guest"];
    const first = await mined(createPatternAssigner({ store }), users.map(sshd));
    const { templates } = await store.load("sshd");
    expect(templates.map((t) => t.id)).toEqual([first[0]?.id]);
    expect(templates[0]?.aliases).toHaveLength(4);
    const later = await mined(createPatternAssigner({ store }), [sshd("webmaster", 9)]);
    expect(later[0]).toEqual({ id: first[0]?.id, template: "Failed password for <*> from <IP> port <NUM> ssh2" });
  });

  it("skips stored entries it cannot read and says so", async () => {
    const inner = createMemoryTemplateStore();
    const store: TemplateStore = {
      save: inner.save,
      load: async () => ({ ...(await inner.load("x")), unreadable: 2 }),
    };
    const reported: [string, number][] = [];
    await mined(createPatternAssigner({ store, onUnreadable: (source, count) => reported.push([source, count]) }), [
      sshd("root", 1),
    ]);
    expect(reported).toEqual([["sshd", 2]]);
  });
});

describe("worker documents carry their pattern", () => {
  const detection = {
    keywords: DEFAULT_KEYWORDS,
    bruteForce: { threshold: 5, windowSeconds: 300 },
    spike: { baselineMinutes: 60, minRequestsPerMinute: 30, sigma: 3 },
  };
  const workers: Worker[] = [];
  afterEach(async () => {
    await Promise.all(workers.splice(0).map((w) => w.stop()));
  });
  async function start(bus: Bus, store: LogStore, patterns: PatternAssigner) {
    const worker = createWorker({
      bus,
      store,
      counters: createMemoryCounters(),
      detection,
      whitelistSeed: [],
      logger: silentLogger(),
      registry: createRegistry("patterns-test", { defaultMetrics: false }),
      patterns,
    });
    workers.push(worker);
    await worker.start();
  }

  it("indexes pattern.id and pattern.template, the same id for lines of one template", async () => {
    const bus = createMemoryBus({ retryDelayMs: 10 });
    const store = createMemoryStore();
    await start(bus, store, createPatternAssigner({ store: createMemoryTemplateStore() }));
    const lines = [
      "Accepted publickey for deploy from 203.0.113.4 port 50122 ssh2",
      "Accepted publickey for deploy from 203.0.113.9 port 61000 ssh2",
      "Connection closed by 203.0.113.4 [preauth]",
    ];
    await bus.publish(
      TOPICS.logs,
      lines.map((message, i) => ({ value: JSON.stringify({ message, timestamp: 1_700_000_000 + i }) })),
    );
    const docs = await eventually(async () => {
      const page = await store.search({ size: 10 });
      expect(page.items).toHaveLength(3);
      return [...page.items].sort((a, b) => a.timestamp - b.timestamp);
    });
    expect(docs.map((d) => d.pattern?.template)).toEqual([
      "Accepted publickey for deploy from <IP> port <NUM> ssh2",
      "Accepted publickey for deploy from <IP> port <NUM> ssh2",
      "Connection closed by <IP> [preauth]",
    ]);
    expect(docs[0]?.pattern?.id).toBe(docs[1]?.pattern?.id);
    expect(docs[2]?.pattern?.id).not.toBe(docs[0]?.pattern?.id);
  });
});
