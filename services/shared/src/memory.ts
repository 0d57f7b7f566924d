// In-process adapters of @soc/shared's interfaces: the embedded pipeline's default and the tests'.
export * from "./bus/memory-bus.ts";
export * from "./store/memory-store.ts";
export * from "./counters/memory-counters.ts";
export { createMemoryPatternCatalogue } from "./store/pattern-catalogue.ts";
export { createMemoryIncidentTracker } from "./incidents/incident-tracker.ts";
export { createMemoryIncidentStore } from "./incidents/incident-store.ts";
