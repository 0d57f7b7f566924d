/**
 * IpWhitelist objects → the pipeline's real `config-updates` topic → a real worker's whitelist.
 * Every message on the topic is checked, so a duplicate or a missing removal fails the test;
 * deletions made while the operator is stopped must still be published when it comes back.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pipelineTopicSpecs, silentLogger, type ConfigUpdate, type Subscription } from "@soc/shared";
import { createKafkaBus, type KafkaBus } from "@soc/shared/kafka";
import { createElasticsearchStore } from "@soc/shared/elasticsearch";
import { createRedisCounters } from "@soc/shared/redis";
import { createRegistry } from "@soc/shared/telemetry";
import { missingInfra, realInfra } from "@soc/shared/testing";
import { createWorker, DEFAULT_KEYWORDS, type Worker } from "@soc/worker";
import type { KubeObject } from "../src/kube/client.ts";
import {
  applyCrds,
  applyYaml,
  createNamespace,
  deleteNamespace,
  eventually,
  getJson,
  kstatus,
  kubectlOk,
  missingKafka,
  missingKube,
  pipelineManifest,
  startOperator,
  type InProcessOperator,
} from "./harness.ts";

type Status = {
  publishedEntries?: number;
  invalidEntries?: string[];
  conditions?: { type: string; status: string; reason: string; message: string }[];
};

const whitelist = (name: string, entries: string[]): KubeObject => ({
  apiVersion: "socpipeline.io/v1alpha1",
  kind: "IpWhitelist",
  metadata: { name },
  spec: { pipelineRef: { name: "wl" }, entries: entries.map((ip) => ({ ip, comment: `test entry ${ip}` })) },
});

describe.skipIf(missingKube() || missingKafka())("IpWhitelist → config-updates on real Kafka", () => {
  let namespace: string;
  let running: InProcessOperator | null = null;
  let bus: KafkaBus;
  let reader: Subscription;
  const messages: ConfigUpdate[] = [];
  let seen = 0;
  let worker: Worker | null = null;
  const closeWorker: (() => Promise<void>)[] = [];

  /** Messages published since the last call, once `count` of them arrived (and no more after a pause). */
  async function nextMessages(count: number): Promise<ConfigUpdate[]> {
    await eventually(() => expect(messages.length).toBeGreaterThanOrEqual(seen + count), { timeoutMs: 20_000 });
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const fresh = messages.slice(seen);
    seen = messages.length;
    return fresh;
  }
  const topic = (): string => `${namespace}-config-updates`;

  beforeAll(async () => {
    applyCrds();
    namespace = createNamespace("wl");
    bus = createKafkaBus({
      brokers: [realInfra.kafkaBroker ?? ""],
      clientId: `${namespace}-reader`,
      logger: silentLogger(),
    });
    await bus.ensureTopics(
      pipelineTopicSpecs({
        logs: `${namespace}-logs`,
        configUpdates: topic(),
        highPriorityAlerts: `${namespace}-alerts`,
      }),
    );
    reader = await bus.follow(topic(), (message) => messages.push(JSON.parse(message.value ?? "null") as ConfigUpdate));
    applyYaml([pipelineManifest("wl", namespace, { worker: { autoscaling: { enabled: false } } })], namespace);
    running = await startOperator(namespace);
    if (!missingInfra("elasticsearchUrl") && !missingInfra("redisUrl")) {
      // A real worker (the same code as the worker Deployment) following the same topic.
      const store = createElasticsearchStore({
        url: realInfra.elasticsearchUrl ?? "",
        index: `${namespace}-processed-logs`,
      });
      await store.ensureReady();
      const counters = createRedisCounters({ url: realInfra.redisUrl ?? "", keyPrefix: `${namespace}:` });
      const topics = { logs: `${namespace}-logs`, configUpdates: topic(), highPriorityAlerts: `${namespace}-alerts` };
      const detection = {
        keywords: DEFAULT_KEYWORDS,
        bruteForce: { threshold: 5, windowSeconds: 300 },
        spike: { baselineMinutes: 60, minRequestsPerMinute: 30, sigma: 3 },
      };
      worker = createWorker({
        bus,
        store,
        counters,
        detection,
        whitelistSeed: [],
        groupId: `${namespace}-worker`,
        topics,
        logger: silentLogger(),
        registry: createRegistry("wl-worker", { defaultMetrics: false }),
        lagPollMs: 60_000,
      });
      await worker.start();
      closeWorker.push(async () => {
        await worker?.stop();
        await counters.close();
        await store.dropIndices().catch(() => undefined);
        await store.close();
      });
    }
  });
  afterAll(async () => {
    await running?.stop();
    for (const close of closeWorker) await close();
    await reader?.stop();
    await bus?.close();
    deleteNamespace(namespace);
  });

  const workerFollows = async (expected: string[]): Promise<void> => {
    if (worker === null) return;
    const current = worker;
    await eventually(() => expect(current.whitelist.entries()).toEqual([...expected].sort()), { timeoutMs: 10_000 });
  };

  it("publishes the union of every IpWhitelist once per entry, and reports it in status", async () => {
    applyYaml(
      [whitelist("office", ["10.0.0.0/8", "192.0.2.1"]), whitelist("vpn", ["192.0.2.1", "2001:DB8::1"])],
      namespace,
    );
    const published = await nextMessages(3);
    expect(published.sort((a, b) => a.ip.localeCompare(b.ip))).toEqual([
      { action: "add", ip: "10.0.0.0/8", owner: `IpWhitelist ${namespace}/office` },
      { action: "add", ip: "192.0.2.1", owner: `IpWhitelist ${namespace}/office` },
      { action: "add", ip: "2001:db8::1", owner: `IpWhitelist ${namespace}/vpn` },
    ]);
    await eventually(() => {
      const office = getJson<KubeObject & { status?: Status }>(namespace, "ipwhitelist/office");
      expect(office.status?.publishedEntries).toBe(2);
      expect(office.status?.conditions?.find((c) => c.type === "Ready")).toMatchObject({
        status: "True",
        reason: "Published",
      });
      const pipeline = getJson<
        KubeObject & {
          status?: { whitelist?: { publishedEntries: number; sources: number; lastPublishedTime?: string } };
        }
      >(namespace, "socpipeline/wl");
      expect(pipeline.status?.whitelist).toMatchObject({ publishedEntries: 3, sources: 2 });
      expect(pipeline.status?.whitelist?.lastPublishedTime).toMatch(/^\d{4}-\d\d-\d\dT/);
    });
    await workerFollows(["10.0.0.0/8", "192.0.2.1", "2001:db8::1"]);
  });

  it("publishes exactly the difference when an entry is edited", async () => {
    applyYaml([whitelist("office", ["192.0.2.1", "198.51.100.0/24"])], namespace);
    expect(await nextMessages(2)).toEqual([
      { action: "remove", ip: "10.0.0.0/8", owner: `IpWhitelist ${namespace}/office` },
      { action: "add", ip: "198.51.100.0/24", owner: `IpWhitelist ${namespace}/office` },
    ]);
    await workerFollows(["192.0.2.1", "198.51.100.0/24", "2001:db8::1"]);
  });

  it("removes only what no other IpWhitelist still holds when one is deleted", async () => {
    kubectlOk(["delete", "-n", namespace, "ipwhitelist/vpn"]);
    expect(await nextMessages(1)).toEqual([
      { action: "remove", ip: "2001:db8::1", owner: `IpWhitelist ${namespace}/vpn` },
    ]);
    await workerFollows(["192.0.2.1", "198.51.100.0/24"]);
  });

  it("publishes changes made while the operator was stopped, deletions included, and nothing twice", async () => {
    await running?.stop();
    running = null;
    kubectlOk(["delete", "-n", namespace, "ipwhitelist/office"]);
    applyYaml([whitelist("partners", ["203.0.113.5"])], namespace);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(messages.length).toBe(seen);
    running = await startOperator(namespace);
    expect(await nextMessages(3)).toEqual([
      { action: "remove", ip: "192.0.2.1", owner: `IpWhitelist ${namespace}/office` },
      { action: "remove", ip: "198.51.100.0/24", owner: `IpWhitelist ${namespace}/office` },
      { action: "add", ip: "203.0.113.5", owner: `IpWhitelist ${namespace}/partners` },
    ]);
    await workerFollows(["203.0.113.5"]);
    // A restart with nothing changed publishes nothing.
    await running.stop();
    running = await startOperator(namespace);
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(messages.length).toBe(seen);
  });

  it("refuses an entry the workers must not use, says so in status, and still publishes the others", async () => {
    applyYaml([whitelist("broad", ["0.0.0.0/0", "198.51.100.77"])], namespace);
    expect(await nextMessages(1)).toEqual([
      { action: "add", ip: "198.51.100.77", owner: `IpWhitelist ${namespace}/broad` },
    ]);
    await eventually(() => {
      const broad = getJson<KubeObject & { status?: Status }>(namespace, "ipwhitelist/broad");
      expect(broad.status?.invalidEntries).toEqual(["0.0.0.0/0"]);
      expect(broad.status?.publishedEntries).toBe(1);
      const ready = broad.status?.conditions?.find((c) => c.type === "Ready");
      expect(ready).toMatchObject({ status: "False", reason: "InvalidEntry" });
      expect(ready?.message).toContain("0.0.0.0/0: a /0 block is too broad");
      // Flux (kstatus) sees a failure that waits for a fix, not a rollout in progress.
      expect(kstatus(namespace, "ipwhitelist/broad").status).toBe("Failed");
    });
    expect(kstatus(namespace, "ipwhitelist/partners").status).toBe("Current");
    await workerFollows(["198.51.100.77", "203.0.113.5"]);
  });

  it("says so when the pipeline an IpWhitelist names does not exist, and publishes nothing for it", async () => {
    applyYaml(
      [
        {
          ...whitelist("orphan", ["192.0.2.200"]),
          spec: { pipelineRef: { name: "nope" }, entries: [{ ip: "192.0.2.200" }] },
        },
      ],
      namespace,
    );
    await eventually(() => {
      const orphan = getJson<KubeObject & { status?: Status }>(namespace, "ipwhitelist/orphan");
      expect(orphan.status?.conditions?.find((c) => c.type === "Ready")).toMatchObject({
        status: "False",
        reason: "PipelineNotFound",
      });
      expect(orphan.status?.publishedEntries).toBe(0);
    });
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(messages.slice(seen)).toEqual([]);
  });

  it("reports a whitelist it cannot publish while Kafka is unreachable, then publishes it once Kafka is reachable", async () => {
    const topics = {
      logs: `${namespace}-down-logs`,
      configUpdates: `${namespace}-down-config-updates`,
      highPriorityAlerts: `${namespace}-down-alerts`,
    };
    const unreachable = pipelineManifest("down", namespace, {
      kafka: { brokers: ["127.0.0.1:1"], topics },
      worker: { autoscaling: { enabled: false } },
    });
    applyYaml(
      [
        unreachable,
        {
          ...whitelist("down-list", ["192.0.2.50"]),
          spec: { pipelineRef: { name: "down" }, entries: [{ ip: "192.0.2.50" }] },
        },
      ],
      namespace,
    );
    await eventually(
      () => {
        const pipeline = getJson<KubeObject & { status?: Status }>(namespace, "socpipeline/down");
        expect(pipeline.status?.conditions?.find((c) => c.type === "Degraded")).toMatchObject({
          status: "True",
          reason: "KafkaUnreachable",
        });
        const list = getJson<KubeObject & { status?: Status }>(namespace, "ipwhitelist/down-list");
        expect(list.status?.conditions?.find((c) => c.type === "Ready")).toMatchObject({
          status: "False",
          reason: "PublishFailed",
        });
        // Flux keeps waiting (the operator retries) rather than calling it failed.
        expect(kstatus(namespace, "ipwhitelist/down-list").status).toBe("InProgress");
      },
      { timeoutMs: 60_000, intervalMs: 500 },
    );
    applyYaml(
      [
        pipelineManifest("down", namespace, {
          kafka: { brokers: [realInfra.kafkaBroker ?? ""], topics },
          worker: { autoscaling: { enabled: false } },
        }),
      ],
      namespace,
    );
    await eventually(
      () => {
        const list = getJson<KubeObject & { status?: Status }>(namespace, "ipwhitelist/down-list");
        expect(list.status?.conditions?.find((c) => c.type === "Ready")).toMatchObject({
          status: "True",
          reason: "Published",
        });
        const pipeline = getJson<KubeObject & { status?: Status }>(namespace, "socpipeline/down");
        expect(pipeline.status?.conditions?.find((c) => c.type === "Degraded")?.status).toBe("False");
      },
      { timeoutMs: 60_000, intervalMs: 500 },
    );
    const onTopic: ConfigUpdate[] = [];
    const follower = await bus.follow(topics.configUpdates, (message) =>
      onTopic.push(JSON.parse(message.value ?? "null") as ConfigUpdate),
    );
    await follower.stop();
    expect(onTopic).toEqual([{ action: "add", ip: "192.0.2.50", owner: `IpWhitelist ${namespace}/down-list` }]);
  }, 150_000);

  it.skipIf(missingInfra("elasticsearchUrl"))(
    "a real worker treats a whitelisted address's failed logins as normal",
    async () => {
      const current = worker;
      if (current === null) throw new Error("no worker");
      const now = Date.now() / 1000;
      await bus.publish(
        `${namespace}-logs`,
        Array.from({ length: 6 }, (_, i) => ({
          key: "203.0.113.5",
          value: JSON.stringify({
            message: `Failed password for root from 203.0.113.5 port 22 ssh2`,
            timestamp: now + i,
          }),
        })),
      );
      const store = createElasticsearchStore({
        url: realInfra.elasticsearchUrl ?? "",
        index: `${namespace}-processed-logs`,
      });
      const page = await eventually(
        async () => {
          const found = await store.search({ source_ip: "203.0.113.5", size: 10 });
          expect(found.items).toHaveLength(6);
          return found;
        },
        { timeoutMs: 20_000 },
      );
      await store.close();
      expect(page.items.every((log) => !log.is_anomaly && log.rule === "whitelist")).toBe(true);
    },
  );
});
