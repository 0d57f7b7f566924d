// Redis adapters: counters, the incident tracker, the pattern catalogue and their connection.
export * from "./redis-connection.ts";
export * from "./counters/redis-counters.ts";
export * from "./incidents/redis-incident-tracker.ts";
export { createRedisPatternCatalogue, type PatternCatalogueRedis } from "./store/pattern-catalogue.ts";
