/** The PostgreSQL collector as a service: polls the csvlog directory and publishes to `logs`. */
import { z } from "zod";
import { createKafkaBus, createLogger, createRegistry, logLevel, parseConfig, port, positiveInt, startOpsServer, topicEnvShape, topicsFromEnv, checkKafkaEnv, kafkaConnectionOf, kafkaEnvShape } from "@soc/shared";
import { createPullCollector, fileCursorStore, pollUntilStopped } from "@soc/collector-framework";
import { csvlogSource } from "./csvlog-source.ts";

const env = parseConfig(
  z.object({
    ...kafkaEnvShape,
    POSTGRES_LOG_DIR: z.string().min(1),
    COLLECTOR_CURSOR_FILE: z.string().min(1).default(".data/collector-postgres.cursor"),
    COLLECTOR_POLL_SECONDS: positiveInt.default(2),
    COLLECTOR_PORT: port.default(9470),
    LOG_LEVEL: logLevel,
    ...topicEnvShape,
  }).superRefine(checkKafkaEnv),
  process.env,
);
const logger = createLogger("collector-postgres", env.LOG_LEVEL);
const registry = createRegistry("collector-postgres");
const bus = createKafkaBus({ ...kafkaConnectionOf(env), clientId: "soc-collector-postgres", logger });
const collector = createPullCollector({ source: csvlogSource(env.POSTGRES_LOG_DIR), bus, cursors: fileCursorStore(env.COLLECTOR_CURSOR_FILE), logger, registry, topic: topicsFromEnv(env).logs });
const ops = startOpsServer({ port: env.COLLECTOR_PORT, registry, ready: () => bus.ping() });
await pollUntilStopped(collector, env.COLLECTOR_POLL_SECONDS);
ops.close();
await bus.close();
