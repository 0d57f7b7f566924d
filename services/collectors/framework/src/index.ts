// Public face of the collector framework.
export { fileCursorStore, type CursorStore } from "./cursor-store.ts";
export { collectorMetrics, createPullCollector, pollUntilStopped, type PullCollectorDeps, type PullSource } from "./pull.ts";
export { drainHandler, parseJsonLines, type DrainSource } from "./drain.ts";
