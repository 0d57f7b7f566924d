/** What the API needs from the outside world; main() builds it, tests build it in memory. */
import type Router from "@koa/router";
import type {
  Bus,
  IncidentStore,
  IncidentTracker,
  LogStore,
  Logger,
  PatternCatalogue,
  PipelineTopics,
  TemplateVerdicts,
  Whitelist,
} from "@soc/shared";
import type { Registry } from "@soc/shared/telemetry";
import type { AccessControl } from "./auth.ts";
import type { DecisionStore } from "./decisions/store.ts";

export interface ApiDeps {
  bus: Bus;
  store: LogStore;
  /** This replica's copy of the whitelist, kept current from config-updates. */
  whitelist: Whitelist;
  /** This replica's copy of analysts' template verdicts (suppressions), from config-updates; absent, /suppressions answers 503. */
  templates?: TemplateVerdicts;
  access: AccessControl;
  logger: Logger;
  registry: Registry;
  frontendOrigins: string[];
  maxBodyBytes: number;
  /** Named dependency checks for /readyz and /pipeline (kafka, elasticsearch, redis). */
  readinessChecks: Record<string, () => Promise<void>>;
  /** Topic names; `logs`, `config-updates`, `high-priority-alerts` by default. */
  topics?: PipelineTopics;
  /** Consumer group whose lag /pipeline reports. */
  workerGroupId: string;
  /** Bans (Redis in a deployment); unset: in memory, for this process only. */
  decisions?: DecisionStore;
  /** Routers of other packages (reports), mounted behind the read role. */
  readRoutes?: Router[];
  /** The workers' catalogue of mined log templates (GET /patterns); absent, that route answers 503. */
  patterns?: PatternCatalogue;
  /** The incidents the workers keep, and their tracker of open ones (GET/PATCH /incidents); absent, those routes answer 503. */
  incidents?: { store: IncidentStore; tracker: IncidentTracker };
  /** Epoch milliseconds; injectable for tests. */
  now?: () => number;
}
