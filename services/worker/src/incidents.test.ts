import { afterAll, describe, expect, it } from "vitest";
import {
  DEFAULT_INCIDENT_POLICY,
  highPriorityAlertSchema,
  silentLogger,
  TOPICS,
  type Bus,
  type IncidentStore,
  type IncidentTracker,
} from "@soc/shared";
import {
  createMemoryBus,
  createMemoryCounters,
  createMemoryIncidentStore,
  createMemoryIncidentTracker,
  createMemoryStore,
} from "@soc/shared/memory";
import { createElasticsearchIncidentStore } from "@soc/shared/elasticsearch";
import { createRedisIncidentTracker } from "@soc/shared/redis";
import { createRegistry } from "@soc/shared/telemetry";
import { eventually, missingInfra, realInfra, uniqueName } from "@soc/shared/testing";
import { DEFAULT_KEYWORDS } from "./detection/config.ts";
import { readOpenSshSample } from "./loghub.ts";
import { createWorker, type Worker } from "./worker.ts";

const detection = {
  keywords: DEFAULT_KEYWORDS,
  bruteForce: { threshold: 5, windowSeconds: 300 },
  spike: { baselineMinutes: 60, minRequestsPerMinute: 30, sigma: 3 },
};
const ATTACKER = "183.62.140.253";

async function alertsOn(bus: Bus) {
  const seen: unknown[] = [];
  await (await bus.follow(TOPICS.highPriorityAlerts, (m) => seen.push(JSON.parse(m.value ?? "{}")))).stop();
  return seen.map((value) => highPriorityAlertSchema.parse(value));
}

function replayOpenSsh(makeIncidents: () => { tracker: IncidentTracker; store: IncidentStore }) {
  const workers: Worker[] = [];
  afterAll(async () => {
    for (const w of workers) await w.stop();
  });

  it("groups the OpenSSH sample's brute-force alerts of one attacker into one incident, notified as opened once", async () => {
    const bus = createMemoryBus({ retryDelayMs: 10 });
    const store = createMemoryStore();
    const incidents = makeIncidents();
    const worker = createWorker({
      bus,
      store,
      counters: createMemoryCounters(),
      detection,
      whitelistSeed: [],
      logger: silentLogger(),
      registry: createRegistry("incidents-test", { defaultMetrics: false }),
      incidents,
    });
    workers.push(worker);
    await worker.start();
    const logs = readOpenSshSample();
    await bus.publish(
      TOPICS.logs,
      logs.map((log) => ({ value: JSON.stringify(log) })),
    );
    await eventually(async () => expect((await store.search({ size: 1 })).total).toBe(logs.length), {
      timeoutMs: 30_000,
    });

    const attacks = (await store.search({ size: 1000, rule: ["brute_force"], source_ip: ATTACKER })).items;
    expect(attacks.length).toBeGreaterThan(1);
    const ids = new Set(attacks.map((doc) => doc.incident_id));
    expect(ids.size).toBe(1);
    const incident = await eventually(async () => {
      const found = await incidents.store.get([...ids][0] as string);
      expect(found?.alerts).toBe(attacks.length);
      return found;
    });
    expect(incident).toMatchObject({
      rule: "brute_force",
      subject: ATTACKER,
      status: "new",
      events: attacks.length * 5,
      source: "sshd",
    });
    expect(incident?.first_seen).toBe(Math.min(...attacks.map((d) => d.timestamp)));
    expect(incident?.last_seen).toBe(Math.max(...attacks.map((d) => d.timestamp)));

    // Published once the batch's documents and incidents are stored.
    const messages = await eventually(async () => {
      const published = (await alertsOn(bus)).filter((a) => a.source_ip === ATTACKER && a.type === "brute_force");
      expect(published).toHaveLength(attacks.length);
      return published;
    });
    expect(messages.filter((a) => a.incident?.opened === true)).toHaveLength(1);
    expect(messages.map((a) => a.incident?.alerts)).toEqual(attacks.map((_, i) => i + 1));

    const all = (await store.search({ size: 1000, is_anomaly: true })).items;
    expect(all.every((doc) => doc.incident_id !== undefined)).toBe(true);
    const listed = await incidents.store.search({ size: 1000 });
    expect(listed.items.reduce((sum, i) => sum + i.alerts, 0)).toBe(all.length);
  });
}

describe("worker incidents, in memory", () => {
  replayOpenSsh(() => ({
    tracker: createMemoryIncidentTracker(DEFAULT_INCIDENT_POLICY),
    store: createMemoryIncidentStore(),
  }));
});

describe.skipIf(missingInfra("redisUrl") || missingInfra("elasticsearchUrl"))(
  "worker incidents on real Redis and Elasticsearch",
  () => {
    const index = uniqueName("worker-incidents");
    const store = createElasticsearchIncidentStore({
      url: realInfra.elasticsearchUrl ?? "",
      index,
      refreshOnWrite: true,
    });
    const tracker = createRedisIncidentTracker({
      url: realInfra.redisUrl ?? "",
      keyPrefix: `${uniqueName("soc")}:`,
      policy: DEFAULT_INCIDENT_POLICY,
    });
    afterAll(async () => {
      await store.drop();
      await Promise.all([store.close(), tracker.close()]);
    });
    replayOpenSsh(() => ({ tracker, store }));
  },
);
