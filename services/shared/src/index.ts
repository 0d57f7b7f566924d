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
