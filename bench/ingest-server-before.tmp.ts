/**
 * The API alone, for the ingest benchmark: real Kafka when KAFKA_BROKER is set, else the in-memory
 * bus. REGROUP_WINDOW_MS sets the Kafka bus's regroup window (ADR 5); 0 turns regrouping off.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createApp, keyAccess } from "@soc/api";
import { createLogger, PIPELINE_TOPICS, Whitelist } from "@soc/shared";
import { createMemoryBus, createMemoryStore } from "@soc/shared/memory";
import { createKafkaBus } from "../services/shared/src/bus/kafka-bus-before.tmp.ts";
import { createRegistry } from "@soc/shared/telemetry";

export const BENCH_KEY = "bench-ingest-key-0123456789";
const logger = createLogger("bench-api", "warn");
const broker = process.env.KAFKA_BROKER;
const regroupWindowMs = process.env.REGROUP_WINDOW_MS === undefined ? undefined : Number(process.env.REGROUP_WINDOW_MS);
const kafka =
  broker === undefined
    ? null
    : createKafkaBus({
        brokers: [broker],
        clientId: "bench-api",
        logger,
        ...(regroupWindowMs === undefined ? {} : { regroupWindowMs }),
      });
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
