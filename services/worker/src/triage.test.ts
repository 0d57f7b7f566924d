// The worker applies analysts' verdicts on templates from config-updates: on the in-memory bus, and
// on the real Kafka when KAFKA_BROKER is set (/var/cache/soc-pipeline/run/infra.env).
import { afterEach, describe, expect, it } from "vitest";
import {
  pipelineTopicSpecs,
  silentLogger,
  TEMPLATE_VERDICT_KIND,
  templateVerdictMessage,
  type Bus,
  type LogQuery,
  type LogStore,
  type PipelineTopics,
  type ProcessedLog,
} from "@soc/shared";
import { createKafkaBus } from "@soc/shared/kafka";
import { createMemoryBus, createMemoryCounters, createMemoryStore } from "@soc/shared/memory";
import { createRegistry } from "@soc/shared/telemetry";
import { eventually, missingInfra, realInfra, uniqueName } from "@soc/shared/testing";
import { DEFAULT_KEYWORDS } from "./detection/config.ts";
import { createWorker, type Worker } from "./worker.ts";

const detection = {
  keywords: DEFAULT_KEYWORDS,
  bruteForce: { threshold: 5, windowSeconds: 300 },
  spike: { baselineMinutes: 60, minRequestsPerMinute: 30, sigma: 3 },
};

/** A line the keyword rule flags ("denied"), medium; every order number shares one template. */
const denied = (source: string, order: number, timestampSeconds: number) => ({
  value: JSON.stringify({ message: `payment denied for order ${order}`, source, timestamp: timestampSeconds }),
});

/** Six failed logins for root from one address of one log source: one brute-force alert. */
const failures = (source: string, lastOctet: number, startSeconds: number) =>
  Array.from({ length: 6 }, (_, i) => ({
    value: JSON.stringify({
      message: `Failed password for root from 198.51.100.${lastOctet} port ${4000 + i} ssh2`,
      source,
      timestamp: startSeconds + i,
    }),
  }));

async function alertsOn(bus: Bus, topic: string): Promise<{ source_ip: string; severity: string }[]> {
  const seen: { source_ip: string; severity: string }[] = [];
  await (
    await bus.follow(topic, (m) => seen.push(JSON.parse(m.value ?? "{}") as { source_ip: string; severity: string }))
  ).stop();
  return seen;
}

function learnsFromTriage(
  name: string,
  makeBus: () => Promise<{ bus: Bus; topics: PipelineTopics; close(): Promise<void> }>,
  timeoutMs: number,
): void {
  describe(`worker learning from triage (${name})`, { timeout: timeoutMs * 4 }, () => {
    let worker: Worker | undefined;
    let closeBus: (() => Promise<void>) | undefined;
    afterEach(async () => {
      await worker?.stop();
      await closeBus?.();
    });

    const startWorker = async (): Promise<{ bus: Bus; topics: PipelineTopics; store: LogStore }> => {
      const { bus, topics, close } = await makeBus();
      closeBus = close;
      const store = createMemoryStore();
      worker = createWorker({
        bus,
        store,
        counters: createMemoryCounters(),
        detection,
        whitelistSeed: [],
        topics,
        logger: silentLogger(),
        registry: createRegistry("worker-triage-test", { defaultMetrics: false }),
      });
      await worker.start();
      return { bus, topics, store };
    };
    const stored = (store: LogStore, query: Omit<LogQuery, "size">): Promise<ProcessedLog> =>
      eventually(
        async () => {
          const [doc] = (await store.search({ size: 10, ...query })).items;
          expect(doc).toBeDefined();
          return doc as ProcessedLog;
        },
        { timeoutMs },
      );
    /** What the API publishes when an analyst marks that alert a false positive; resolves once the worker applies it. */
    const dismiss = async (bus: Bus, topics: PipelineTopics, alert: ProcessedLog): Promise<void> => {
      const pattern = alert.pattern as { id: string; template: string };
      const source = alert.source ?? "";
      await bus.publish(topics.configUpdates, [
        templateVerdictMessage({
          kind: TEMPLATE_VERDICT_KIND,
          verdict: "suppress",
          source,
          pattern_id: pattern.id,
          template: pattern.template,
          severity: alert.severity ?? "medium",
          by: "alice",
          at: 1_700_000_100,
          alert_id: alert.id,
        }),
      ]);
      await eventually(() => expect(worker?.templates.of(source, pattern.id)?.verdict).toBe("suppress"), { timeoutMs });
    };

    it("stores the template's later keyword alerts from the suppressed source as info; another source still alerts", async () => {
      const { bus, topics, store } = await startWorker();
      const keywordAlert = (order: number) =>
        stored(store, { rule: ["keyword"], text: `payment denied for order ${order}` });

      await bus.publish(topics.logs, [denied("billing", 1001, 1_700_000_000)]);
      const dismissed = await keywordAlert(1001);
      expect(dismissed.severity).toBe("medium");
      await dismiss(bus, topics, dismissed);

      await bus.publish(topics.logs, [denied("billing", 1002, 1_700_000_200), denied("shop", 1003, 1_700_000_200)]);
      expect(await keywordAlert(1002)).toMatchObject({
        is_anomaly: true,
        rule: "keyword",
        severity: "info",
        pattern: { id: dismissed.pattern?.id },
      });
      expect(await keywordAlert(1003)).toMatchObject({ is_anomaly: true, rule: "keyword", severity: "medium" });
    });

    it("still raises and publishes the next brute force after one was marked a false positive", async () => {
      const { bus, topics, store } = await startWorker();
      const bruteForce = (ip: string) => stored(store, { rule: ["brute_force"], source_ip: ip });

      await bus.publish(topics.logs, failures("sshd", 10, 1_700_000_000));
      const dismissed = await bruteForce("198.51.100.10");
      expect(dismissed.severity).toBe("high");
      await dismiss(bus, topics, dismissed);

      await bus.publish(topics.logs, failures("sshd", 20, 1_700_000_200));
      expect(await bruteForce("198.51.100.20")).toMatchObject({
        is_anomaly: true,
        severity: "high",
        pattern: { id: dismissed.pattern?.id },
      });
      const alerts = await eventually(
        async () => {
          const published = await alertsOn(bus, topics.highPriorityAlerts);
          expect(published).toHaveLength(2);
          return published;
        },
        { timeoutMs },
      );
      expect(alerts.map((a) => [a.source_ip, a.severity]).sort()).toEqual([
        ["198.51.100.10", "high"],
        ["198.51.100.20", "high"],
      ]);
    });
  });
}

learnsFromTriage(
  "in-memory bus",
  async () => ({
    bus: createMemoryBus({ retryDelayMs: 10 }),
    topics: { logs: "logs", configUpdates: "config-updates", highPriorityAlerts: "high-priority-alerts" },
    close: async () => {},
  }),
  5_000,
);

if (missingInfra("kafkaBroker"))
  describe.skip("worker learning from triage (real Kafka): KAFKA_BROKER is not set", () => it("needs Kafka"));
else
  learnsFromTriage(
    "real Kafka",
    async () => {
      const name = uniqueName("triage");
      const topics = {
        logs: `${name}-logs`,
        configUpdates: `${name}-config-updates`,
        highPriorityAlerts: `${name}-alerts`,
      };
      const bus = createKafkaBus({ brokers: [realInfra.kafkaBroker ?? ""], clientId: name, logger: silentLogger() });
      await bus.ensureTopics(pipelineTopicSpecs(topics, 1));
      return { bus, topics, close: () => bus.close() };
    },
    30_000,
  );
