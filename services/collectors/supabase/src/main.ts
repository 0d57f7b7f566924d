/** The Supabase collector: polls the Management API logs endpoint and, if configured, receives a log drain. */
import { z } from "zod";
import { createPullCollector, DEFAULT_DRAIN_SERVER_LIMITS, DEFAULT_MAX_BODY_BYTES, drainHandler, drainServer, fileCursorStore, pollUntilStopped } from "@soc/collector-framework";
import { createKafkaBus, createLogger, createRegistry, logLevel, parseConfig, port, positiveInt, secretString, topicEnvShape, topicsFromEnv, checkKafkaEnv, kafkaConnectionOf, kafkaEnvShape } from "@soc/shared";
import { supabaseDrainSource, supabaseSource } from "./source.ts";

const env = parseConfig(
  z.object({
    ...kafkaEnvShape,
    SUPABASE_API_URL: z.url().default("https://api.supabase.com"),
    SUPABASE_PROJECT_REF: z.string().min(1),
    SUPABASE_ACCESS_TOKEN: secretString,
    SUPABASE_DRAIN_HEADER: z.string().min(1).default("X-Drain-Token"),
    SUPABASE_DRAIN_SECRET: secretString.optional(),
    COLLECTOR_CURSOR_FILE: z.string().min(1).default(".data/collector-supabase.cursor"),
    COLLECTOR_POLL_SECONDS: positiveInt.default(60),
    COLLECTOR_PORT: port.default(9472),
    DRAIN_MAX_BODY_BYTES: positiveInt.default(DEFAULT_MAX_BODY_BYTES),
    DRAIN_MAX_CONNECTIONS: positiveInt.default(DEFAULT_DRAIN_SERVER_LIMITS.maxConnections),
    LOG_LEVEL: logLevel,
    ...topicEnvShape,
  }).superRefine(checkKafkaEnv),
  process.env,
);
const logger = createLogger("collector-supabase", env.LOG_LEVEL);
const registry = createRegistry("collector-supabase");
const bus = createKafkaBus({ ...kafkaConnectionOf(env), clientId: "soc-collector-supabase", logger });
const topic = topicsFromEnv(env).logs;
const source = supabaseSource({ baseUrl: env.SUPABASE_API_URL, projectRef: env.SUPABASE_PROJECT_REF, token: env.SUPABASE_ACCESS_TOKEN, windowSeconds: env.COLLECTOR_POLL_SECONDS });
const collector = createPullCollector({ source, bus, cursors: fileCursorStore(env.COLLECTOR_CURSOR_FILE), logger, registry, topic });
const drain = env.SUPABASE_DRAIN_SECRET === undefined ? null : drainHandler({ source: supabaseDrainSource({ headerName: env.SUPABASE_DRAIN_HEADER, secret: env.SUPABASE_DRAIN_SECRET }), bus, topic, maxBodyBytes: env.DRAIN_MAX_BODY_BYTES });
const server = drainServer((request, response) => {
  if (request.url === "/healthz") return void response.writeHead(200).end("ok");
  if (request.url === "/metrics") return void registry.metrics().then((text) => response.writeHead(200, { "content-type": registry.contentType }).end(text));
  if (drain === null) return void response.writeHead(404).end();
  drain(request, response);
}, { maxConnections: env.DRAIN_MAX_CONNECTIONS }).listen(env.COLLECTOR_PORT);
await pollUntilStopped(collector, env.COLLECTOR_POLL_SECONDS);
server.close();
await bus.close();
