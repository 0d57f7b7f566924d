/** The Firebase collector: polls Cloud Logging with a service-account credential from a Secret. */
import { createPullCollector, fileCursorStore, pollUntilStopped } from "@soc/collector-framework";
import { createKafkaBus, createLogger, createRegistry, kafkaConnectionOf, startOpsServer, topicsFromEnv } from "@soc/shared";
import { parseFirebaseCollectorEnv } from "./config.ts";
import { accessTokenProvider } from "./google-auth.ts";
import { cloudLoggingSource } from "./source.ts";

const env = parseFirebaseCollectorEnv(process.env);
const logger = createLogger("collector-firebase", env.LOG_LEVEL);
const registry = createRegistry("collector-firebase");
const bus = createKafkaBus({ ...kafkaConnectionOf(env), clientId: "soc-collector-firebase", logger });
const accessToken = accessTokenProvider(env.GOOGLE_SERVICE_ACCOUNT_JSON, "https://www.googleapis.com/auth/logging.read");
const source = cloudLoggingSource({ baseUrl: env.CLOUD_LOGGING_URL, projectId: env.GCP_PROJECT_ID, accessToken, filter: env.FIREBASE_LOG_FILTER, since: new Date().toISOString() });
const collector = createPullCollector({ source, bus, cursors: fileCursorStore(env.COLLECTOR_CURSOR_FILE), logger, registry, topic: topicsFromEnv(env).logs });
const ops = startOpsServer({ port: env.COLLECTOR_PORT, registry, ready: () => bus.ping() });
await pollUntilStopped(collector, env.COLLECTOR_POLL_SECONDS);
ops.close();
await bus.close();
