// Public face of @soc/shared. Services import only from here (or "@soc/shared/testing" in tests).
export * from "./messages.ts";
export * from "./config.ts";
export * from "./errors.ts";
export * from "./logger.ts";
export * from "./telemetry/metrics.ts";
export * from "./bus/bus.ts";
export * from "./bus/dead-letter.ts";
export * from "./store/log-store.ts";
export * from "./whitelist/whitelist.ts";
export * from "./whitelist/replica.ts";
export * from "./bus/topics.ts";
export * from "./bus/memory-bus.ts";
export * from "./bus/kafka-bus.ts";
export * from "./store/memory-store.ts";
export * from "./store/elasticsearch-store.ts";
export * from "./telemetry/tracing.ts";
