// Public face of @soc/worker: the worker factory, its configuration and the detection core.
export { createWorker, documentId, type Worker, type WorkerDeps } from "./worker.ts";
export { createAnalyzer, type Analysis, type AnalysisInput, type Analyzer } from "./analyze.ts";
export {
  parseWorkerEnv,
  detectionConfigOf,
  enrichmentSettingsOf,
  incidentPolicyOf,
  workerEnvSchema,
  type WorkerEnv,
} from "./config.ts";
export { openEnrichment, type EnrichmentSettings } from "./enrichment/databases.ts";
export type { Enrich } from "./enrichment/enricher.ts";
export type { DetectionConfig } from "./detection/config.ts";
export { DEFAULT_KEYWORDS } from "./detection/config.ts";
export { createPatternAssigner, type PatternAssigner } from "./patterns/assigner.ts";
export { createMemoryTemplateStore, createRedisTemplateStore } from "./patterns/template-store.ts";
export { readOpenSshSample } from "./loghub.ts";
