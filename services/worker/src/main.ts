/** The worker as its own service on real Kafka, Elasticsearch and Redis. */
import { createLogger, onShutdownSignal, pipelineTopicSpecs, topicsFromEnv } from "@soc/shared";
import { createKafkaBus, kafkaConnectionOf } from "@soc/shared/kafka";
import {
  createElasticsearchIncidentStore,
  createElasticsearchStore,
  elasticsearchStoreOptionsOf,
} from "@soc/shared/elasticsearch";
import {
  createRedisIncidentTracker,
  createRedisClient,
  createRedisCounters,
  createRedisPatternCatalogue,
  redisConnectionOf,
} from "@soc/shared/redis";
import { createRegistry, registerDependencyProbes, startOpsServer, startTracing } from "@soc/shared/telemetry";
import { detectionConfigOf, enrichmentSettingsOf, incidentPolicyOf, parseWorkerEnv } from "./config.ts";
import { openEnrichment } from "./enrichment/databases.ts";
import { createPatternAssigner } from "./patterns/assigner.ts";
import { createRedisTemplateStore } from "./patterns/template-store.ts";
import { createWorker } from "./worker.ts";

const env = parseWorkerEnv(process.env);
const logger = createLogger("worker", env.LOG_LEVEL);
const tracing = startTracing("soc-worker", env.OTEL_EXPORTER_OTLP_ENDPOINT, env.OTEL_EXPORTER_OTLP_HEADERS);
await tracing.ready;
const registry = createRegistry("worker");
const bus = createKafkaBus({ ...kafkaConnectionOf(env), clientId: "soc-worker", logger });
const store = createElasticsearchStore(elasticsearchStoreOptionsOf(env));
const counters = createRedisCounters({ ...redisConnectionOf(env), keyPrefix: env.REDIS_KEY_PREFIX });

const topics = topicsFromEnv(env);
await bus.ensureTopics(pipelineTopicSpecs(topics));
// Templates shared by every replica and kept across restarts: one Redis hash per log source; the
// catalogue counts them across replicas and tells which are new.
const templatesRedis = createRedisClient(redisConnectionOf(env));
const patterns = createPatternAssigner({
  store: createRedisTemplateStore(templatesRedis, env.REDIS_KEY_PREFIX),
  catalogue: createRedisPatternCatalogue(templatesRedis, env.REDIS_KEY_PREFIX),
  onUnreadable: (source, count) => logger.warn({ source, count }, "unreadable stored log templates skipped"),
});
const enrichment = enrichmentSettingsOf(env);
const enrich = enrichment === null ? undefined : await openEnrichment(enrichment);
// Incidents: which one is open per rule and subject is shared by every replica (Redis); the incidents themselves are kept beside the logs.
const incidents = {
  tracker: createRedisIncidentTracker({
    ...redisConnectionOf(env),
    keyPrefix: env.REDIS_KEY_PREFIX,
    policy: incidentPolicyOf(env),
  }),
  store: createElasticsearchIncidentStore(elasticsearchStoreOptionsOf(env)),
};
const worker = createWorker({
  bus,
  store,
  counters,
  detection: detectionConfigOf(env),
  whitelistSeed: env.WHITELISTED_IPS,
  groupId: env.WORKER_GROUP_ID,
  topics,
  logger,
  registry,
  patterns,
  enrich,
  incidents,
});
await worker.start();
const dependencies = { kafka: () => bus.ping(), elasticsearch: () => store.ping(), redis: () => counters.ping() };
registerDependencyProbes(registry, dependencies);
const ops = startOpsServer({
  port: env.WORKER_METRICS_PORT,
  registry,
  ready: async () => {
    await Promise.all(Object.values(dependencies).map((check) => check()));
  },
});

onShutdownSignal(async (signal) => {
  logger.info({ signal }, "shutting down");
  ops.close();
  await worker.stop();
  templatesRedis.disconnect();
  await Promise.allSettled([
    bus.close(),
    store.close(),
    counters.close(),
    incidents.tracker.close(),
    incidents.store.close(),
    tracing.shutdown(),
  ]);
});
