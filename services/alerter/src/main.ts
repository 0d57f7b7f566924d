/** The alerter as its own service on real Kafka (and Redis for its delivery log). */
import { createLogger, onShutdownSignal, pipelineTopicSpecs, topicsFromEnv } from "@soc/shared";
import { createKafkaBus, kafkaConnectionOf } from "@soc/shared/kafka";
import { redisConnectionOf } from "@soc/shared/redis";
import { createRegistry, startOpsServer, startTracing } from "@soc/shared/telemetry";
import { createAlerter } from "./alerter.ts";
import { channelsOf, parseAlerterEnv, retryPolicyOf } from "./config.ts";
import { createMemoryDeliveryLog, createRedisDeliveryLog } from "./delivery-log.ts";

const env = parseAlerterEnv(process.env);
const logger = createLogger("alerter", env.LOG_LEVEL);
const tracing = startTracing("soc-alerter", env.OTEL_EXPORTER_OTLP_ENDPOINT, env.OTEL_EXPORTER_OTLP_HEADERS);
await tracing.ready;
const registry = createRegistry("alerter");
const bus = createKafkaBus({ ...kafkaConnectionOf(env), clientId: "soc-alerter", logger });
const topics = topicsFromEnv(env);
await bus.ensureTopics(pipelineTopicSpecs(topics));
const channels = channelsOf(env);
if (channels.length === 0)
  logger.warn("no channel configured: set SLACK_WEBHOOK_URL(S), DISCORD_WEBHOOK_URL(S) or SMTP_URL + ALERT_EMAIL_TO");
// Without Redis the delivery log lives in memory: a restart may then re-send the last batch.
const redisUrl = env.REDIS_URL;
const deliveryLog =
  redisUrl === undefined
    ? createMemoryDeliveryLog()
    : createRedisDeliveryLog(redisConnectionOf({ ...env, REDIS_URL: redisUrl }), undefined, env.REDIS_KEY_PREFIX);
const alerter = createAlerter({
  bus,
  channels,
  deliveryLog,
  dedupWindowSeconds: env.ALERT_DEDUP_WINDOW_SECONDS,
  dashboardUrl: env.DASHBOARD_URL,
  githubWebUrl: env.GITHUB_WEB_URL,
  policy: retryPolicyOf(env),
  topic: topics.highPriorityAlerts,
  groupId: env.ALERTER_GROUP_ID,
  logger,
  registry,
});
await alerter.start();
const ops = startOpsServer({ port: env.ALERTER_PORT, registry, ready: () => bus.ping() });

onShutdownSignal(async () => {
  ops.close();
  await alerter.stop();
  await Promise.allSettled([bus.close(), deliveryLog.close(), tracing.shutdown()]);
});
