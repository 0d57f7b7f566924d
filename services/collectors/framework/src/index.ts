// Public face of the collector framework.
export { fileCursorStore, type CursorStore } from "./cursor-store.ts";
export {
  collectorMetrics,
  createPullCollector,
  pollUntilStopped,
  type CollectorMetrics,
  type PullCollectorDeps,
  type PullSource,
} from "./pull.ts";
export {
  runCollector,
  startCollector,
  type CollectorDefinition,
  type CollectorEnv,
  type CollectorSources,
  type RunningCollector,
} from "./run-collector.ts";
export {
  DEFAULT_DRAIN_SERVER_LIMITS,
  DEFAULT_MAX_BODY_BYTES,
  drainHandler,
  drainServer,
  parseJsonLines,
  type DrainHandlerOptions,
  type DrainServerLimits,
  type DrainSource,
  type Refusal,
} from "./drain.ts";
export { replayCache, type ReplayCache } from "./replay-cache.ts";
export { busRecord } from "./bus-record.ts";
export { clientIp, type PortStyle } from "./address.ts";
export { drainCollectorListener } from "./ops.ts";
export type { ListenContext, ListenSource } from "./listen.ts";
