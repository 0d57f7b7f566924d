/** The PostgreSQL collector as a service: polls the csvlog directory and publishes to `logs`. */
import { z } from "zod";
import { createKafkaBus, createLogger, createRegistry, logLevel, parseConfig, port, positiveInt, startOpsServer, topicEnvShape, topicsFromEnv } from "@soc/shared";
import { createPullCollector, fileCursorStore, pollUntilStopped } from "@soc/collector-framework";
import { csvlogSource } from "./csvlog-source.ts";

const env = parseConfig(
  z.object({
    KAFKA_BROKER: z.string().min(1).default("127.0.0.1:19092"),
    POSTGRES_LOG_DIR: z.string().min(1),
    COLLECTOR_CURSOR_FILE: z.string().min(1).default(".data/collector-postgres.cursor"),
    COLLECTOR_POLL_SECONDS: positiveInt.default(2),
    COLLECTOR_PORT: port.default(9470),
    LOG_LEVEL: logLevel,
    ...topicEnvShape,
  }),
  process.env,
);
const logger = createLogger("collector-postgres", env.LOG_LEVEL);
const registry = createRegistry("collector-postgres");
const bus = createKafkaBus({ brokers: env.KAFKA_BROKER.split(","), clientId: "soc-collector-postgres", logger });
const collector = createPullCollector({ source: csvlogSource(env.POSTGRES_LOG_DIR), bus, cursors: fileCursorStore(env.COLLECTOR_CURSOR_FILE), logger, registry, topic: topicsFromEnv(env).logs });
const ops = startOpsServer({ port: env.COLLECTOR_PORT, registry, ready: () => bus.ping() });
await pollUntilStopped(collector, env.COLLECTOR_POLL_SECONDS);
ops.close();
await bus.close();
