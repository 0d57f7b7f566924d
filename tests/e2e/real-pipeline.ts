/**
 * A whole pipeline on the real servers, isolated by unique topic, index, group and key names. Each
 * part has its own Kafka client, signed in as its own principal on the secured broker.
 */
import { channelsOf, createAlerter, createMemoryDeliveryLog, parseAlerterEnv } from "@soc/alerter";
import { createApp, keyAccess } from "@soc/api";
import { createLogger, followWhitelist, silentLogger, type PipelineTopics } from "@soc/shared";
import type { KafkaBus } from "@soc/shared/kafka";
import { createElasticsearchStore } from "@soc/shared/elasticsearch";
import { createRedisCounters } from "@soc/shared/redis";
import { createRegistry } from "@soc/shared/telemetry";
import { realInfra, uniqueName } from "@soc/shared/testing";
import { createWorker, DEFAULT_KEYWORDS, type Worker } from "@soc/worker";
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { FakeWebhook } from "@soc/alerter/testing";
import { PLAINTEXT_KAFKA, type KafkaTarget } from "./kafka-targets.ts";

export const ADMIN_KEY = "e2e-admin-key-0123456789";
export const detection = {
  keywords: DEFAULT_KEYWORDS,
  bruteForce: { threshold: 5, windowSeconds: 300 },
  spike: { baselineMinutes: 60, minRequestsPerMinute: 30, sigma: 3 },
};

export interface RunningApi {
  url: string;
  whitelist: () => string[];
  close(): Promise<void>;
}

export interface RealPipeline {
  name: string;
  topics: PipelineTopics;
  index: string;
  groupId: string;
  redisPrefix: string;
  /** The admin's client: creates the topics, and lets a test look at them or publish what no service would. */
  admin: KafkaBus;
  store: ReturnType<typeof createElasticsearchStore>;
  startApi(): Promise<RunningApi>;
  startWorker(): Promise<Worker>;
  /** The alerter, delivering to these Slack-compatible webhooks. */
  startAlerter(slackWebhookUrls: string[]): Promise<void>;
  /** `services/worker/src/main.ts` as its own process, configured for this pipeline as a Deployment would be. */
  spawnWorkerProcess(): ChildProcess;
  close(): Promise<void>;
}

export async function createRealPipeline(kafka: KafkaTarget = PLAINTEXT_KAFKA): Promise<RealPipeline> {
  const name = uniqueName("e2e");
  const topics = {
    logs: `${name}-logs`,
    configUpdates: `${name}-config-updates`,
    highPriorityAlerts: `${name}-alerts`,
  };
  // E2E_TEST_LOGS=1 shows what the services log (kafkajs' reconnects and rebalances among it).
  const logger = process.env.E2E_TEST_LOGS === "1" ? createLogger("e2e", "info") : silentLogger();
  const admin = kafka.connect("admin", `${name}-admin`, logger);
  await kafka.prepare(admin, topics);
  const store = createElasticsearchStore({ url: realInfra.elasticsearchUrl ?? "", index: `${name}-processed-logs` });
  await store.ensureReady();
  const closers: (() => Promise<void>)[] = [];
  const processes: ChildProcess[] = [];
  // Group and client ids start with the parts' prefixes (DEFAULT_PIPELINE_GROUPS), which the ACLs grant.
  const groupId = `soc-worker-${name}`;
  const redisPrefix = `${name}:`;
  let clients = 0;
  const clientId = (part: "api" | "worker" | "alerter"): string => `soc-${part}-${name}-${++clients}`;

  return {
    name,
    topics,
    index: store.index,
    groupId,
    redisPrefix,
    admin,
    store,
    async startApi() {
      const bus = kafka.connect("api", clientId("api"), logger);
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
        await bus.close();
      };
      closers.push(close);
      return {
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        whitelist: () => follower.whitelist.entries(),
        close,
      };
    },
    async startWorker() {
      const bus = kafka.connect("worker", clientId("worker"), logger);
      const counters = createRedisCounters({ url: realInfra.redisUrl ?? "", keyPrefix: redisPrefix });
      const worker = createWorker({
        bus,
        store,
        counters,
        detection,
        whitelistSeed: [],
        groupId,
        topics,
        logger,
        registry: createRegistry("e2e-worker", { defaultMetrics: false }),
        lagPollMs: 60_000,
      });
      await worker.start();
      closers.push(async () => {
        await worker.stop();
        await Promise.allSettled([counters.close(), bus.close()]);
      });
      return worker;
    },
    async startAlerter(slackWebhookUrls) {
      const id = clientId("alerter");
      const bus = kafka.connect("alerter", id, logger);
      const alerter = createAlerter({
        bus,
        channels: channelsOf(parseAlerterEnv({ SLACK_WEBHOOK_URLS: slackWebhookUrls.join(",") })),
        deliveryLog: createMemoryDeliveryLog(),
        dedupWindowSeconds: 600,
        dashboardUrl: "http://localhost:3000",
        topic: topics.highPriorityAlerts,
        groupId: id,
        logger,
        registry: createRegistry("e2e-alerter", { defaultMetrics: false }),
      });
      await alerter.start();
      closers.push(async () => {
        await alerter.stop();
        await bus.close();
      });
    },
    spawnWorkerProcess() {
      // The workspaces' TypeScript sources (export condition `development`), as in development.
      const child = spawn(
        process.execPath,
        ["--conditions=development", "--import", "tsx", "services/worker/src/main.ts"],
        {
          env: {
            ...process.env,
            ...kafka.serviceEnv("worker"),
            ELASTICSEARCH_URL: realInfra.elasticsearchUrl,
            REDIS_URL: realInfra.redisUrl,
            REDIS_KEY_PREFIX: redisPrefix,
            ELASTICSEARCH_INDEX: store.index,
            WORKER_GROUP_ID: groupId,
            TOPIC_LOGS: topics.logs,
            TOPIC_CONFIG_UPDATES: topics.configUpdates,
            TOPIC_HIGH_PRIORITY_ALERTS: topics.highPriorityAlerts,
            WORKER_METRICS_PORT: "0",
            LOG_LEVEL: "warn",
          },
          stdio: "ignore",
          // Its own process group: a kill takes whatever it started too.
          detached: true,
        },
      );
      processes.push(child);
      return child;
    },
    async close() {
      for (const child of processes) if (child.exitCode === null && child.signalCode === null) killGroup(child);
      for (const close of closers.reverse()) await close().catch(() => undefined);
      await store.dropIndices().catch(() => undefined);
      await admin.close();
      await store.close();
    },
  };
}

/** SIGKILL to the process and everything it started: no chance to commit or flush. */
export function killGroup(child: ChildProcess): void {
  try {
    process.kill(-(child.pid ?? 0), "SIGKILL");
  } catch {
    // already gone
  }
}

/** What a Slack user reads: each notification's text and where its button leads. */
export const slackMessages = (slack: FakeWebhook): { text: string; link: string | undefined }[] =>
  (slack.received as { text: string; blocks: { elements?: { url: string }[] }[] }[]).map((body) => ({
    text: body.text,
    link: body.blocks.at(-1)?.elements?.[0]?.url,
  }));

export const api =
  (url: string) =>
  (path: string, init: RequestInit = {}): Promise<Response> =>
    fetch(`${url}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${ADMIN_KEY}`, "content-type": "application/json", ...init.headers },
    });
