/** The Firebase collector: polls Cloud Logging with a service-account credential from a Secret. */
import { z } from "zod";
import { createPullCollector, fileCursorStore, pollUntilStopped } from "@soc/collector-framework";
import { createKafkaBus, createLogger, createRegistry, logLevel, parseConfig, port, positiveInt, secretString, startOpsServer, topicEnvShape, topicsFromEnv, checkKafkaEnv, kafkaConnectionOf, kafkaEnvShape } from "@soc/shared";
import { accessTokenProvider } from "./google-auth.ts";
import { cloudLoggingSource, DEFAULT_FILTER } from "./source.ts";

const env = parseConfig(
  z.object({
    ...kafkaEnvShape,
    GCP_PROJECT_ID: z.string().min(1),
    /** The service-account key JSON (mount it and use GOOGLE_SERVICE_ACCOUNT_JSON_FILE). */
    GOOGLE_SERVICE_ACCOUNT_JSON: secretString,
    CLOUD_LOGGING_URL: z.url().default("https://logging.googleapis.com"),
    FIREBASE_LOG_FILTER: z.string().min(1).default(DEFAULT_FILTER),
    COLLECTOR_CURSOR_FILE: z.string().min(1).default(".data/collector-firebase.cursor"),
    COLLECTOR_POLL_SECONDS: positiveInt.default(30),
    COLLECTOR_PORT: port.default(9473),
    LOG_LEVEL: logLevel,
    ...topicEnvShape,
  }).superRefine(checkKafkaEnv),
  process.env,
);
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
