/**
 * The embedded pipeline: the same API and worker code in one process over the in-memory bus,
 * store and counters. The whitelist topic and the processed logs persist in `dataDir`; a timer
 * applies the retention (docs/retention.md) at start and every hour.
 */
import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import {
  createApp,
  createMemoryDecisionStore,
  keyAccess,
  startAutoBan,
  type AccessControl,
  type ApiKey,
  type AutoBanRules,
} from "@soc/api";
import {
  DEFAULT_INCIDENT_POLICY,
  DEFAULT_PIPELINE_GROUPS,
  followWhitelist,
  TOPICS,
  type Logger,
  type LogStore,
  type RetentionPolicy,
} from "@soc/shared";
import {
  createMemoryBus,
  createMemoryCounters,
  createMemoryIncidentStore,
  createMemoryIncidentTracker,
  createMemoryPatternCatalogue,
  createMemoryStore,
} from "@soc/shared/memory";
import { createRegistry } from "@soc/shared/telemetry";
import { answerUnparsableRequests } from "@soc/shared/http";
import { createMemoryReportSource, createReportRoutes } from "@soc/reporter";
import {
  createMemoryTemplateStore,
  createPatternAssigner,
  createWorker,
  openEnrichment,
  type DetectionConfig,
  type EnrichmentSettings,
} from "@soc/worker";

export interface StandaloneOptions {
  dataDir: string;
  /** 0 picks a free port. */
  apiPort: number;
  host?: string;
  /** Keys, or "open" for no access control (explicit only). */
  access: ApiKey[] | "open";
  /** With "open": host names besides loopback the API answers to. */
  allowedHosts?: string[];
  detection: DetectionConfig;
  whitelistSeed: string[];
  frontendOrigins: string[];
  /** Unset or null: nothing is ever deleted. */
  retention?: RetentionPolicy | null;
  /** Which high-priority alerts ban their source (AUTO_BAN_RULES, docs/response.md); unset: none. */
  autoBanRules?: AutoBanRules;
  /** Country and network of source addresses, as the worker's GEOIP_* settings say (docs/enrichment.md); unset or null: none. */
  enrichment?: EnrichmentSettings | null;
  logger: Logger;
}

export const RETENTION_INTERVAL_MS = 60 * 60_000;

/** Applies `policy` now and every interval; a failed run is logged and tried again at the next. */
export function startRetentionTimer(
  store: LogStore,
  policy: RetentionPolicy | null,
  logger: Logger,
  intervalMs = RETENTION_INTERVAL_MS,
): { stop(): void } {
  if (policy === null) return { stop() {} };
  const run = (): void => {
    store.applyRetention(policy, Date.now() / 1000).then(
      (outcome) => {
        if (outcome.deletedDocuments > 0 || outcome.deletedIndices.length > 0)
          logger.info({ ...outcome, policy }, "retention: deleted what the policy no longer keeps");
      },
      (error: unknown) => logger.warn({ err: error }, "retention run failed; trying again at the next"),
    );
  };
  run();
  const timer = setInterval(run, intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}

export interface Standalone {
  apiUrl: string;
  close(): Promise<void>;
}

export async function startStandalone(options: StandaloneOptions): Promise<Standalone> {
  const { logger } = options;
  const bus = createMemoryBus({
    dataDir: options.dataDir,
    durableTopics: [TOPICS.configUpdates],
    compactedTopics: [TOPICS.configUpdates],
  });
  const store = createMemoryStore({ dataDir: options.dataDir });
  const counters = createMemoryCounters();
  const registry = createRegistry("standalone");
  // One catalogue for the worker that fills it and the API that shows it (GET /patterns); in memory, like the counters.
  const patternCatalogue = createMemoryPatternCatalogue();
  const patterns = createPatternAssigner({ store: createMemoryTemplateStore(), catalogue: patternCatalogue });
  const enrich = options.enrichment == null ? undefined : await openEnrichment(options.enrichment);
  // Incidents kept under dataDir; which one is open per rule and subject, in memory like the counters.
  const incidents = {
    tracker: createMemoryIncidentTracker(DEFAULT_INCIDENT_POLICY),
    store: createMemoryIncidentStore({ dataDir: options.dataDir }),
  };
  const worker = createWorker({
    bus,
    store,
    counters,
    detection: options.detection,
    whitelistSeed: options.whitelistSeed,
    logger: logger.child({ component: "worker" }),
    registry,
    patterns,
    enrich,
    incidents,
  });
  await worker.start();
  const retention = startRetentionTimer(store, options.retention ?? null, logger.child({ component: "retention" }));
  const follower = await followWhitelist(bus, logger);
  // Bans and what each bouncer was sent survive a restart, like the whitelist topic.
  const decisions = createMemoryDecisionStore({ file: join(options.dataDir, "decisions.json") });
  const autoBan = await startAutoBan({
    bus,
    decisions,
    whitelist: follower.whitelist,
    rules: options.autoBanRules ?? {},
    logger: logger.child({ component: "auto-ban" }),
    registry,
  });
  const access: AccessControl =
    options.access === "open" ? { mode: "open", hosts: options.allowedHosts ?? [] } : keyAccess(options.access);
  const app = createApp({
    bus,
    store,
    whitelist: follower.whitelist,
    templates: follower.templates,
    access,
    logger: logger.child({ component: "api" }),
    registry,
    frontendOrigins: options.frontendOrigins,
    maxBodyBytes: 5 * 1024 * 1024,
    readinessChecks: { bus: () => bus.ping(), store: () => store.ping(), counters: () => counters.ping() },
    workerGroupId: DEFAULT_PIPELINE_GROUPS.worker,
    patterns: patternCatalogue,
    incidents,
    decisions,
    readRoutes: [createReportRoutes({ source: createMemoryReportSource(store), logger })],
  });
  const server = answerUnparsableRequests(createServer(app.callback())).listen(
    options.apiPort,
    options.host ?? "127.0.0.1",
  );
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  return {
    apiUrl: `http://${options.host ?? "127.0.0.1"}:${port}`,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      retention.stop();
      await worker.stop();
      await follower.subscription.stop();
      await autoBan?.stop();
      await bus.close();
    },
  };
}
