// Contracts of @soc/shared: messages, topic names, configuration, errors, logging, the whitelist core and
// the Bus / LogStore / Counters / IncidentTracker / PatternCatalogue interfaces with their pure helpers.
// Nothing here loads a client library: adapters are the subpaths "./memory", "./kafka",
// "./elasticsearch" and "./redis"; metrics and tracing "./telemetry"; HTTP hardening "./http".
export * from "./messages.ts";
export * from "./config.ts";
export * from "./detection-defaults.ts";
export * from "./errors.ts";
export * from "./logger.ts";
export * from "./shutdown.ts";
export * from "./bus/bus.ts";
export * from "./bus/topics.ts";
export * from "./bus/dead-letter.ts";
export * from "./store/log-store.ts";
export * from "./store/retention.ts";
export * from "./store/timeline.ts";
export {
  DEFAULT_CATALOGUE_LIMITS,
  decodePatternCursor,
  MAX_SAMPLE_CHARS,
  MAX_TEMPLATE_CHARS,
  UNNAMED_SOURCE,
  type PatternBatch,
  type PatternCatalogue,
  type PatternCatalogueLimits,
  type PatternHistory,
  type PatternPage,
  type PatternQuery,
  type PatternSighting,
  type PatternSummary,
} from "./store/pattern-catalogue.ts";
export * from "./counters/counters.ts";
export * from "./whitelist/whitelist.ts";
export * from "./whitelist/entry.ts";
export * from "./whitelist/owner.ts";
export * from "./whitelist/replica.ts";
export * from "./triage/template-verdicts.ts";
export * from "./incidents/incident.ts";
export type { IncidentTracker } from "./incidents/incident-tracker.ts";
export {
  incidentCursorOf,
  matchesIncidentQuery,
  type IncidentPage,
  type IncidentQuery,
  type IncidentStore,
} from "./incidents/incident-store.ts";
