/** The worker as its own service on real Kafka, Elasticsearch and Redis. */
import {
  createElasticsearchStore,
  createKafkaBus,
  createLogger,
  createRedisCounters,
  createRegistry,
  elasticsearchStoreOptionsOf,
  onShutdownSignal,
  pipelineTopicSpecs,
  redisConnectionOf,
  startOpsServer,
  startTracing,
  topicsFromEnv,
  kafkaConnectionOf,
} from "@soc/shared";
import { detectionConfigOf, parseWorkerEnv } from "./config.ts";
import { createWorker } from "./worker.ts";

const env = parseWorkerEnv(process.env);
const logger = createLogger("worker", env.LOG_LEVEL);
const tracing = startTracing("soc-worker", env.OTEL_EXPORTER_OTLP_ENDPOINT);
const registry = createRegistry("worker");
const bus = createKafkaBus({ ...kafkaConnectionOf(env), clientId: "soc-worker", logger });
const store = createElasticsearchStore(elasticsearchStoreOptionsOf(env));
const counters = createRedisCounters({ ...redisConnectionOf(env), keyPrefix: env.REDIS_KEY_PREFIX });

const topics = topicsFromEnv(env);
await bus.ensureTopics(pipelineTopicSpecs(topics));
const worker = createWorker({ bus, store, counters, detection: detectionConfigOf(env), whitelistSeed: env.WHITELISTED_IPS, groupId: env.WORKER_GROUP_ID, topics, logger, registry });
await worker.start();
const ops = startOpsServer({
  port: env.WORKER_METRICS_PORT,
  registry,
  ready: async () => {
    await Promise.all([bus.ping(), store.ping(), counters.ping()]);
  },
});

onShutdownSignal(async (signal) => {
  logger.info({ signal }, "shutting down");
  ops.close();
  await worker.stop();
  await Promise.allSettled([bus.close(), store.close(), counters.close(), tracing.shutdown()]);
});
