/** The Vercel log-drain receiver as a service. */
import { drainCollectorListener, drainServer } from "@soc/collector-framework";
import { Counter, createKafkaBus, createLogger, createRegistry, kafkaConnectionOf, topicsFromEnv } from "@soc/shared";
import { parseVercelCollectorEnv } from "./config.ts";
import { vercelDrainHandler } from "./drain.ts";

const env = parseVercelCollectorEnv(process.env);
const logger = createLogger("collector-vercel", env.LOG_LEVEL);
const registry = createRegistry("collector-vercel");
const published = new Counter({ name: "collector_published_total", help: "Logs acknowledged by the bus", labelNames: ["source"], registers: [registry] });
const bus = createKafkaBus({ ...kafkaConnectionOf(env), clientId: "soc-collector-vercel", logger });
const drain = vercelDrainHandler({ bus, secret: env.VERCEL_DRAIN_SECRET, verifyToken: env.VERCEL_VERIFY_TOKEN, topic: topicsFromEnv(env).logs, maxBodyBytes: env.DRAIN_MAX_BODY_BYTES, onPublished: (n) => published.inc({ source: "vercel" }, n) });
const server = drainServer(drainCollectorListener({ registry, ready: () => bus.ping() }, drain), { maxConnections: env.DRAIN_MAX_CONNECTIONS }).listen(env.COLLECTOR_PORT, () => logger.info({ port: env.COLLECTOR_PORT }, "Vercel drain receiver listening"));
process.once("SIGTERM", () => server.close(() => void bus.close().then(() => process.exit(0))));
