import { afterEach, describe, expect, it } from "vitest";
import { silentLogger, TOPICS, type Bus, type IncomingMessage, type LogStore } from "@soc/shared";
import { createMemoryBus, createMemoryCounters, createMemoryStore } from "@soc/shared/memory";
import { createRegistry, startTracing } from "@soc/shared/telemetry";
import { eventually } from "@soc/shared/testing";
import { DEFAULT_KEYWORDS } from "./detection/config.ts";
import { createWorker, type Worker } from "./worker.ts";

const detection = {
  keywords: DEFAULT_KEYWORDS,
  bruteForce: { threshold: 5, windowSeconds: 300 },
  spike: { baselineMinutes: 60, minRequestsPerMinute: 30, sigma: 3 },
};

// No exporter: trace context still travels (W3C propagator, context manager), as in a service without OTLP.
startTracing("worker-test", undefined);

async function read(bus: Bus, topic: string): Promise<IncomingMessage[]> {
  const seen: IncomingMessage[] = [];
  await (await bus.follow(topic, (m) => seen.push(m))).stop();
  return seen;
}

describe("worker on the in-memory bus and store", () => {
  let worker: Worker | undefined;
  afterEach(async () => {
    await worker?.stop();
  });

  async function start(overrides: { bus?: Bus; store?: LogStore } = {}) {
    const bus = overrides.bus ?? createMemoryBus({ retryDelayMs: 10 });
    const store = overrides.store ?? createMemoryStore();
    worker = createWorker({
      bus,
      store,
      counters: createMemoryCounters(),
      detection,
      whitelistSeed: ["10.0.0.1"],
      logger: silentLogger(),
      registry: createRegistry("worker-test", { defaultMetrics: false }),
    });
    await worker.start();
    return { bus, store };
  }

  it("indexes the contract's document shape for every log", async () => {
    const { bus, store } = await start();
    await bus.publish(TOPICS.logs, [
      { value: JSON.stringify({ message: "permission denied for 203.0.113.9", timestamp: 1_700_000_000 }) },
    ]);
    const [doc] = await eventually(async () => {
      const page = await store.search({ size: 10 });
      expect(page.items).toHaveLength(1);
      return page.items;
    });
    expect(doc).toMatchObject({
      id: "logs-0-0",
      message: "permission denied for 203.0.113.9",
      timestamp: 1_700_000_000,
      status: "new",
      is_anomaly: true,
      reason: "Log contains anomalous keyword.",
      source_ip: "203.0.113.9",
      rule: "keyword",
    });
  });

  it("raises one brute-force alert for five failures and publishes it to high-priority-alerts", async () => {
    const { bus, store } = await start();
    const failures = Array.from({ length: 6 }, (_, i) => ({
      value: JSON.stringify({
        message: `sshd[1]: Failed password for root from 198.51.100.10 port ${4000 + i} ssh2`,
        timestamp: 1_700_000_000 + i * 10,
      }),
    }));
    await bus.publish(TOPICS.logs, failures);
    await eventually(async () => expect((await store.search({ size: 10 })).total).toBe(6));
    const bruteForce = (await store.search({ size: 10, rule: ["brute_force"] })).items;
    expect(bruteForce.map((d) => d.reason)).toEqual(["Brute-force attempt detected from 198.51.100.10 (5 attempts)."]);
    const alerts = (await read(bus, TOPICS.highPriorityAlerts)).map((m) => JSON.parse(m.value ?? "{}"));
    expect(alerts).toEqual([
      expect.objectContaining({
        schema_version: 1,
        type: "brute_force",
        source_ip: "198.51.100.10",
        count: 5,
        window_seconds: 300,
        first_seen: 1_700_000_000,
        last_seen: 1_700_000_040,
        log_id: bruteForce[0]?.id,
      }),
    ]);
  });

  it("stores on each document the trace its log arrived in, and sends the alert in that trace", async () => {
    const { bus, store } = await start();
    const traceIds = Array.from({ length: 5 }, (_, i) => `${String(i + 1).repeat(8)}0af7651916cd43dd8448eb21`);
    await bus.publish(
      TOPICS.logs,
      traceIds.map((traceId, i) => ({
        value: JSON.stringify({
          message: `sshd[1]: Failed password for root from 198.51.100.20 port ${4000 + i} ssh2`,
          timestamp: 1_700_000_000 + i,
        }),
        headers: { traceparent: `00-${traceId}-b7ad6b716920333${i}-01` },
      })),
    );
    await eventually(async () => expect((await store.search({ size: 10 })).total).toBe(5));
    const docs = (await store.search({ size: 10 })).items;
    expect(docs.map((doc) => doc.trace?.id).sort()).toEqual(traceIds);
    const [bruteForce] = docs.filter((doc) => doc.rule === "brute_force");
    const [alert] = await eventually(async () => {
      const published = await read(bus, TOPICS.highPriorityAlerts);
      expect(published).toHaveLength(1);
      return published;
    });
    expect(alert?.headers.traceparent).toContain(`-${bruteForce?.trace?.id}-`);
  });

  it("treats logs from a whitelisted IP as normal", async () => {
    const { bus, store } = await start();
    await bus.publish(TOPICS.logs, [
      { value: JSON.stringify({ message: "sshd[7]: Failed password for root from 10.0.0.1 port 22 ssh2" }) },
    ]);
    await eventually(async () =>
      expect((await store.search({ size: 10 })).items[0]).toMatchObject({
        is_anomaly: false,
        rule: "whitelist",
        source_ip: "10.0.0.1",
      }),
    );
  });

  it("takes sshd's source, not a whitelisted address planted in the user name", async () => {
    const { bus, store } = await start();
    const line = (i: number) =>
      `Dec 10 07:07:3${i} LabSZ sshd[2420${i}]: Failed password for invalid user 10.0.0.1 from 203.0.113.9 port 424${i} ssh2`;
    await bus.publish(
      TOPICS.logs,
      [0, 1, 2, 3, 4, 5].map((i) => ({ value: JSON.stringify({ message: line(i), timestamp: 1_700_000_000 + i }) })),
    );
    await eventually(async () =>
      expect((await store.search({ size: 10, rule: ["brute_force"] })).items.map((d) => d.source_ip)).toEqual([
        "203.0.113.9",
      ]),
    );
    const stored = (await store.search({ size: 10 })).items;
    expect(stored.every((d) => d.source_ip === "203.0.113.9" && d.rule !== "whitelist")).toBe(true);
  });

  it("does not let the whitelist silence an address only inferred from free text", async () => {
    const { bus, store } = await start();
    await bus.publish(TOPICS.logs, [{ value: JSON.stringify({ message: "failed login from 10.0.0.1" }) }]);
    await eventually(async () =>
      expect((await store.search({ size: 10 })).items[0]).toMatchObject({
        is_anomaly: true,
        rule: "keyword",
        source_ip: "10.0.0.1",
        source_ip_inferred: true,
      }),
    );
  });

  it("dead-letters malformed messages with the reason and keeps processing", async () => {
    const { bus, store } = await start();
    await bus.publish(TOPICS.logs, [
      { value: "{not json" },
      { value: JSON.stringify({ text: "no message" }) },
      { value: JSON.stringify({ message: "fine" }) },
    ]);
    await eventually(async () => expect((await store.search({ size: 10 })).total).toBe(1));
    const dead = await eventually(async () => {
      const messages = await read(bus, "logs-dlq");
      expect(messages).toHaveLength(2);
      return messages;
    });
    expect(dead.map((m) => m.value)).toEqual(["{not json", JSON.stringify({ text: "no message" })]);
    expect(dead[0]?.headers["dlq-reason"]).toMatch(/^invalid JSON/);
    expect(dead[1]?.headers["dlq-reason"]).toMatch(/^schema: message/);
    expect(dead[0]?.headers["dlq-source-offset"]).toBe("0");
  });

  it("analyses a log with an over-long endpoint or a malformed source_ip instead of dead-lettering it", async () => {
    const { bus, store } = await start();
    const longPath = `/${"a".repeat(10_000)}`;
    await bus.publish(TOPICS.logs, [
      { value: JSON.stringify({ message: "GET long", endpoint: longPath, source_ip: "203.0.113.20" }) },
      { value: JSON.stringify({ message: "GET odd", source_ip: "999.1.1.1" }) },
    ]);
    await eventually(async () => expect((await store.search({ size: 10 })).total).toBe(2));
    const stored = (await store.search({ size: 10 })).items;
    const long = stored.find((d) => d.message === "GET long");
    expect(long).toMatchObject({ source_ip: "203.0.113.20", endpoint: expect.stringMatching(/^\/a{200,}…$/) });
    expect(long?.endpoint?.length).toBeLessThanOrEqual(256);
    expect(stored.find((d) => d.message === "GET odd")).toMatchObject({ source_ip: null });
    expect(await read(bus, "logs-dlq")).toEqual([]);
  });

  it("dead-letters an event time past year 9999 (minute windows would never end) and keeps processing", async () => {
    const { bus, store } = await start();
    await bus.publish(
      TOPICS.logs,
      [0, 1]
        .map(() => ({ value: JSON.stringify({ message: "GET / 200", timestamp: 2.4e19, source_ip: "203.0.113.30" }) }))
        .concat([{ value: JSON.stringify({ message: "fine" }) }]),
    );
    await eventually(async () =>
      expect((await store.search({ size: 10 })).items.map((d) => d.message)).toEqual(["fine"]),
    );
    await eventually(async () => expect(await read(bus, "logs-dlq")).toHaveLength(2));
  });

  it("writes a redelivered batch once: the store failing makes the batch come again, without duplicates", async () => {
    const inner = createMemoryStore();
    let failuresLeft = 2;
    const flaky: LogStore = {
      ...inner,
      async bulkIndex(docs) {
        await inner.bulkIndex(docs.slice(0, 1)); // a partial write before the failure
        if (failuresLeft-- > 0) throw new Error("es_rejected_execution_exception");
        await inner.bulkIndex(docs);
      },
    };
    const { bus } = await start({ store: flaky });
    await bus.publish(
      TOPICS.logs,
      Array.from({ length: 5 }, (_, i) => ({ value: JSON.stringify({ message: `line ${i}` }) })),
    );
    await eventually(async () => expect((await inner.search({ size: 10 })).total).toBe(5));
    expect(failuresLeft).toBe(-1);
    expect((await inner.search({ size: 10 })).items.map((d) => d.id).sort()).toEqual([
      "logs-0-0",
      "logs-0-1",
      "logs-0-2",
      "logs-0-3",
      "logs-0-4",
    ]);
  });
});
