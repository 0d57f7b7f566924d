/** The API as its own service on real Kafka, Elasticsearch and Redis. */
import { createServer } from "node:http";
import {
  createLogger,
  DEFAULT_INCIDENT_POLICY,
  onShutdownSignal,
  followWhitelist,
  pipelineTopicSpecs,
  seedWhitelist,
  topicsFromEnv,
} from "@soc/shared";
import { createKafkaBus, kafkaConnectionOf } from "@soc/shared/kafka";
import {
  createElasticsearchStore,
  createElasticsearchIncidentStore,
  elasticsearchStoreOptionsOf,
} from "@soc/shared/elasticsearch";
import {
  createRedisClient,
  createRedisPatternCatalogue,
  createRedisIncidentTracker,
  pingRedis,
  redisConnectionOf,
} from "@soc/shared/redis";
import { createRegistry, startTracing } from "@soc/shared/telemetry";
import { answerUnparsableRequests } from "@soc/shared/http";
import { createElasticsearchReportSource, createReportRoutes } from "@soc/reporter";
import { createApp } from "./app.ts";
import { startAutoBan } from "./decisions/auto-ban-consumer.ts";
import { createRedisDecisionStore } from "./decisions/redis-store.ts";
import { keyAccess, parseApiKeys } from "./auth.ts";
import { parseApiEnv } from "./config.ts";

const env = parseApiEnv(process.env);
const logger = createLogger("api", env.LOG_LEVEL);
const tracing = startTracing("soc-api", env.OTEL_EXPORTER_OTLP_ENDPOINT, env.OTEL_EXPORTER_OTLP_HEADERS);
await tracing.ready;
const registry = createRegistry("api");
const bus = createKafkaBus({ ...kafkaConnectionOf(env), clientId: "soc-api", logger });
const store = createElasticsearchStore({
  ...elasticsearchStoreOptionsOf(env),
  refreshOnWrite: env.ES_REFRESH_ON_WRITE,
});
const redisConnection = redisConnectionOf(env);
const redis = createRedisClient(redisConnection, { lazyConnect: true, maxRetriesPerRequest: 1 });
const decisions = createRedisDecisionStore({ ...redisConnection, keyPrefix: env.REDIS_KEY_PREFIX });
const access =
  env.AUTH_MODE === "open"
    ? ({ mode: "open", hosts: env.ALLOWED_HOSTS } as const)
    : keyAccess(parseApiKeys(env.API_KEYS));
if (access.mode === "open") logger.warn("AUTH_MODE=open: every caller is admin; anyone can change the whitelist");

const topics = topicsFromEnv(env);
await bus.ensureTopics(pipelineTopicSpecs(topics));
// The API only changes statuses of incidents: the tracker's policy (the workers') sets no expiry here.
const incidents = {
  store: createElasticsearchIncidentStore(elasticsearchStoreOptionsOf(env)),
  tracker: createRedisIncidentTracker({
    ...redisConnection,
    keyPrefix: env.REDIS_KEY_PREFIX,
    policy: DEFAULT_INCIDENT_POLICY,
  }),
};
await Promise.all([store.ensureReady(), incidents.store.ensureReady()]);
const follower = await followWhitelist(bus, logger, topics.configUpdates);
await seedWhitelist(bus, follower, env.WHITELISTED_IPS);
const autoBan = await startAutoBan({
  bus,
  decisions,
  whitelist: follower.whitelist,
  rules: env.AUTO_BAN_RULES,
  logger,
  registry,
  topic: topics.highPriorityAlerts,
});

const app = createApp({
  bus,
  store,
  whitelist: follower.whitelist,
  templates: follower.templates,
  access,
  logger,
  registry,
  frontendOrigins: env.FRONTEND_ORIGIN,
  maxBodyBytes: env.MAX_BODY_BYTES,
  readinessChecks: {
    kafka: () => bus.ping(),
    elasticsearch: () => store.ping(),
    redis: () => pingRedis(redis, redisConnection),
  },
  topics,
  workerGroupId: env.WORKER_GROUP_ID,
  decisions,
  patterns: createRedisPatternCatalogue(redis, env.REDIS_KEY_PREFIX),
  incidents,
  readRoutes: [createReportRoutes({ source: createElasticsearchReportSource(store.client, store.index), logger })],
});
const server = answerUnparsableRequests(createServer(app.callback())).listen(env.API_PORT, () =>
  logger.info({ port: env.API_PORT }, "API listening"),
);

onShutdownSignal(async (signal) => {
  logger.info({ signal }, "shutting down");
  server.close();
  await Promise.allSettled([follower.subscription.stop(), autoBan?.stop()]);
  await Promise.allSettled([
    bus.close(),
    store.close(),
    redis.quit(),
    decisions.close(),
    incidents.store.close(),
    incidents.tracker.close(),
    tracing.shutdown(),
  ]);
});
