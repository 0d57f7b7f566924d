/** A whole pipeline on the real servers, isolated by unique topic, index, group and key names. */
import { createApp, keyAccess } from "@soc/api";
import {
  createElasticsearchStore,
  createKafkaBus,
  createRedisCounters,
  createRegistry,
  followWhitelist,
  pipelineTopicSpecs,
  silentLogger,
  type PipelineTopics,
} from "@soc/shared";
import { realInfra, uniqueName } from "@soc/shared/testing";
import { createWorker, DEFAULT_KEYWORDS, type Worker } from "@soc/worker";
import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export const ADMIN_KEY = "e2e-admin-key-0123456789";
export const detection = { keywords: DEFAULT_KEYWORDS, bruteForce: { threshold: 5, windowSeconds: 300 }, spike: { baselineMinutes: 60, minRequestsPerMinute: 30, sigma: 3 } };

export interface RealPipeline {
  name: string;
  topics: PipelineTopics;
  index: string;
  groupId: string;
  redisPrefix: string;
  bus: ReturnType<typeof createKafkaBus>;
  store: ReturnType<typeof createElasticsearchStore>;
  startApi(): Promise<{ url: string; whitelist: () => string[]; close(): Promise<void> }>;
  startWorker(): Promise<Worker>;
  close(): Promise<void>;
}

export async function createRealPipeline(): Promise<RealPipeline> {
  const name = uniqueName("e2e");
  const topics = { logs: `${name}-logs`, configUpdates: `${name}-config-updates`, highPriorityAlerts: `${name}-alerts` };
  const logger = silentLogger();
  const bus = createKafkaBus({ brokers: [realInfra.kafkaBroker ?? ""], clientId: name, logger });
  await bus.ensureTopics(pipelineTopicSpecs(topics));
  const store = createElasticsearchStore({ url: realInfra.elasticsearchUrl ?? "", index: `${name}-processed-logs` });
  await store.ensureReady();
  const closers: (() => Promise<void>)[] = [];
  const groupId = `${name}-worker`;
  const redisPrefix = `${name}:`;

  return {
    name,
    topics,
    index: store.index,
    groupId,
    redisPrefix,
    bus,
    store,
    async startApi() {
      const follower = await followWhitelist(bus, logger, topics.configUpdates);
      const app = createApp({
        bus,
        store,
        whitelist: follower.whitelist,
        access: keyAccess([{ role: "admin", key: ADMIN_KEY }]),
        logger,
        registry: createRegistry("e2e-api", { defaultMetrics: false }),
        frontendOrigins: [],
        maxBodyBytes: 5 * 1024 * 1024,
        readinessChecks: { kafka: () => bus.ping(), elasticsearch: () => store.ping() },
        topics,
        workerGroupId: groupId,
      });
      const server: Server = createServer(app.callback()).listen(0, "127.0.0.1");
      await once(server, "listening");
      const close = async (): Promise<void> => {
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
        await follower.subscription.stop();
      };
      closers.push(close);
      return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, whitelist: () => follower.whitelist.entries(), close };
    },
    async startWorker() {
      const counters = createRedisCounters({ url: realInfra.redisUrl ?? "", keyPrefix: redisPrefix });
      const worker = createWorker({ bus, store, counters, detection, whitelistSeed: [], groupId, topics, logger, registry: createRegistry("e2e-worker", { defaultMetrics: false }), lagPollMs: 60_000 });
      await worker.start();
      closers.push(async () => {
        await worker.stop();
        await counters.close();
      });
      return worker;
    },
    async close() {
      for (const close of closers.reverse()) await close().catch(() => undefined);
      await store.client.indices.delete({ index: store.index }).catch(() => undefined);
      await bus.close();
      await store.close();
    },
  };
}

export const api = (url: string) => (path: string, init: RequestInit = {}): Promise<Response> =>
  fetch(`${url}${path}`, { ...init, headers: { authorization: `Bearer ${ADMIN_KEY}`, "content-type": "application/json", ...init.headers } });
