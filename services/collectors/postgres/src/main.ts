/** The PostgreSQL collector as a service: polls the csvlog directory and publishes to `logs`. */
import { createKafkaBus, createLogger, createRegistry, kafkaConnectionOf, startOpsServer, topicsFromEnv } from "@soc/shared";
import { createPullCollector, fileCursorStore, pollUntilStopped } from "@soc/collector-framework";
import { parsePostgresCollectorEnv } from "./config.ts";
import { csvlogSource } from "./csvlog-source.ts";

const env = parsePostgresCollectorEnv(process.env);
const logger = createLogger("collector-postgres", env.LOG_LEVEL);
const registry = createRegistry("collector-postgres");
const bus = createKafkaBus({ ...kafkaConnectionOf(env), clientId: "soc-collector-postgres", logger });
const collector = createPullCollector({ source: csvlogSource(env.POSTGRES_LOG_DIR), bus, cursors: fileCursorStore(env.COLLECTOR_CURSOR_FILE), logger, registry, topic: topicsFromEnv(env).logs });
const ops = startOpsServer({ port: env.COLLECTOR_PORT, registry, ready: () => bus.ping() });
await pollUntilStopped(collector, env.COLLECTOR_POLL_SECONDS);
ops.close();
await bus.close();
