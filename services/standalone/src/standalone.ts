/**
 * The embedded pipeline: the same API and worker code in one process over the in-memory bus,
 * store and counters. The whitelist topic and the processed logs persist in `dataDir`.
 */
import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createApp, keyAccess, type AccessControl, type ApiKey } from "@soc/api";
import { createMemoryBus, createMemoryCounters, createMemoryStore, createRegistry, DEFAULT_PIPELINE_GROUPS, followWhitelist, TOPICS, type Logger } from "@soc/shared";
import { createMemoryReportSource, createReportRoutes } from "@soc/reporter";
import { createWorker, type DetectionConfig } from "@soc/worker";

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
  logger: Logger;
}

export interface Standalone {
  apiUrl: string;
  close(): Promise<void>;
}

export async function startStandalone(options: StandaloneOptions): Promise<Standalone> {
  const { logger } = options;
  const bus = createMemoryBus({ dataDir: options.dataDir, durableTopics: [TOPICS.configUpdates], compactedTopics: [TOPICS.configUpdates] });
  const store = createMemoryStore({ dataDir: options.dataDir });
  const counters = createMemoryCounters();
  const registry = createRegistry("standalone");
  const worker = createWorker({ bus, store, counters, detection: options.detection, whitelistSeed: options.whitelistSeed, logger: logger.child({ component: "worker" }), registry });
  await worker.start();
  const follower = await followWhitelist(bus, logger);
  const access: AccessControl = options.access === "open" ? { mode: "open", hosts: options.allowedHosts ?? [] } : keyAccess(options.access);
  const app = createApp({
    bus,
    store,
    whitelist: follower.whitelist,
    access,
    logger: logger.child({ component: "api" }),
    registry,
    frontendOrigins: options.frontendOrigins,
    maxBodyBytes: 5 * 1024 * 1024,
    readinessChecks: { bus: () => bus.ping(), store: () => store.ping(), counters: () => counters.ping() },
    workerGroupId: DEFAULT_PIPELINE_GROUPS.worker,
    readRoutes: [createReportRoutes({ source: createMemoryReportSource(store), logger })],
  });
  const server = createServer(app.callback()).listen(options.apiPort, options.host ?? "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  return {
    apiUrl: `http://${options.host ?? "127.0.0.1"}:${port}`,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await worker.stop();
      await follower.subscription.stop();
      await bus.close();
    },
  };
}
