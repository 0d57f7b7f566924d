/** The API alone, for the ingest benchmark: real Kafka when KAFKA_BROKER is set, else the in-memory bus. */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createApp, keyAccess } from "@soc/api";
import { createLogger, PIPELINE_TOPICS, Whitelist } from "@soc/shared";
import { createMemoryBus, createMemoryStore } from "@soc/shared/memory";
import { createKafkaBus } from "@soc/shared/kafka";
import { createRegistry } from "@soc/shared/telemetry";

export const BENCH_KEY = "bench-ingest-key-0123456789";
const logger = createLogger("bench-api", "warn");
const broker = process.env.KAFKA_BROKER;
const kafka = broker === undefined ? null : createKafkaBus({ brokers: [broker], clientId: "bench-api", logger });
if (kafka !== null) await kafka.ensureTopics(PIPELINE_TOPICS);
const bus = kafka ?? createMemoryBus();
const store = createMemoryStore();
const app = createApp({
  bus,
  store,
  whitelist: new Whitelist(),
  access: keyAccess([{ role: "ingest", key: BENCH_KEY }]),
  logger,
  registry: createRegistry("bench-api"),
  frontendOrigins: [],
  maxBodyBytes: 10 * 1024 * 1024,
  readinessChecks: {},
  workerGroupId: "soc-worker",
});
const server = createServer(app.callback()).listen(0, "127.0.0.1", () => {
  process.stdout.write(
    `${JSON.stringify({ port: (server.address() as AddressInfo).port, bus: kafka === null ? "memory" : "kafka" })}\n`,
  );
});
process.once("SIGTERM", () => {
  server.close();
  void bus.close().then(() => process.exit(0));
});
