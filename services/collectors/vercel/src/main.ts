/** The Vercel log-drain receiver as a service. */
import { z } from "zod";
import { DEFAULT_DRAIN_SERVER_LIMITS, DEFAULT_MAX_BODY_BYTES, drainServer } from "@soc/collector-framework";
import { Counter, createKafkaBus, createLogger, createRegistry, logLevel, parseConfig, port, positiveInt, secretString, topicEnvShape, topicsFromEnv, checkKafkaEnv, kafkaConnectionOf, kafkaEnvShape } from "@soc/shared";
import { vercelDrainHandler } from "./drain.ts";

const env = parseConfig(
  z.object({
    ...kafkaEnvShape,
    VERCEL_DRAIN_SECRET: secretString,
    VERCEL_VERIFY_TOKEN: z.string().min(1),
    COLLECTOR_PORT: port.default(9471),
    DRAIN_MAX_BODY_BYTES: positiveInt.default(DEFAULT_MAX_BODY_BYTES),
    DRAIN_MAX_CONNECTIONS: positiveInt.default(DEFAULT_DRAIN_SERVER_LIMITS.maxConnections),
    LOG_LEVEL: logLevel,
    ...topicEnvShape,
  }).superRefine(checkKafkaEnv),
  process.env,
);
const logger = createLogger("collector-vercel", env.LOG_LEVEL);
const registry = createRegistry("collector-vercel");
const published = new Counter({ name: "collector_published_total", help: "Logs acknowledged by the bus", labelNames: ["source"], registers: [registry] });
const bus = createKafkaBus({ ...kafkaConnectionOf(env), clientId: "soc-collector-vercel", logger });
const drain = vercelDrainHandler({ bus, secret: env.VERCEL_DRAIN_SECRET, verifyToken: env.VERCEL_VERIFY_TOKEN, topic: topicsFromEnv(env).logs, maxBodyBytes: env.DRAIN_MAX_BODY_BYTES, onPublished: (n) => published.inc({ source: "vercel" }, n) });
const server = drainServer((request, response) => {
  if (request.url === "/healthz") return void response.writeHead(200).end("ok");
  if (request.url === "/metrics") return void registry.metrics().then((text) => response.writeHead(200, { "content-type": registry.contentType }).end(text));
  drain(request, response);
}, { maxConnections: env.DRAIN_MAX_CONNECTIONS }).listen(env.COLLECTOR_PORT, () => logger.info({ port: env.COLLECTOR_PORT }, "Vercel drain receiver listening"));
process.once("SIGTERM", () => server.close(() => void bus.close().then(() => process.exit(0))));
