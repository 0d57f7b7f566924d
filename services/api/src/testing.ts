/** Starts the API on a free loopback port over given adapters; for this package's tests and e2e suites. */
import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { DEFAULT_PIPELINE_GROUPS, followWhitelist, silentLogger, type Bus, type LogStore } from "@soc/shared";
import { createMemoryBus, createMemoryStore } from "@soc/shared/memory";
import { createRegistry } from "@soc/shared/telemetry";
import { answerUnparsableRequests } from "@soc/shared/http";
import { createApp } from "./app.ts";
import { createMemoryDecisionStore } from "./decisions/memory-store.ts";
import { keyAccess, type AccessControl } from "./auth.ts";
import type { ApiDeps } from "./deps.ts";

export const TEST_KEYS = {
  admin: "admin-key-0123456789",
  read: "read-key-0123456789",
  ingest: "ingest-key-0123456789",
  bouncer: "bouncer-key-0123456789",
};

export interface TestApi {
  url: string;
  deps: ApiDeps;
  request(path: string, init?: RequestInit & { key?: keyof typeof TEST_KEYS | null }): Promise<Response>;
  close(): Promise<void>;
}

export async function startTestApi(
  overrides: Partial<ApiDeps> & { bus?: Bus; store?: LogStore; access?: AccessControl } = {},
): Promise<TestApi> {
  const bus = overrides.bus ?? createMemoryBus();
  const store = overrides.store ?? createMemoryStore();
  const logger = silentLogger();
  const follower = await followWhitelist(bus, logger, overrides.topics?.configUpdates);
  const deps: ApiDeps = {
    bus,
    store,
    whitelist: follower.whitelist,
    templates: follower.templates,
    access: keyAccess(
      Object.entries(TEST_KEYS).map(([role, key]) => ({ role: role as keyof typeof TEST_KEYS, key, name: role })),
    ),
    logger,
    registry: createRegistry("api-test", { defaultMetrics: false }),
    frontendOrigins: ["http://localhost:3000"],
    maxBodyBytes: 64 * 1024,
    readinessChecks: { bus: () => bus.ping(), store: () => store.ping() },
    workerGroupId: DEFAULT_PIPELINE_GROUPS.worker,
    decisions: createMemoryDecisionStore(),
    ...overrides,
  };
  const server = answerUnparsableRequests(createServer(createApp(deps).callback()));
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    deps,
    request(path, init = {}) {
      const { key = "admin", ...rest } = init;
      const headers = new Headers(rest.headers);
      if (key !== null) headers.set("authorization", `Bearer ${TEST_KEYS[key]}`);
      if (rest.body !== undefined && !headers.has("content-type")) headers.set("content-type", "application/json");
      return fetch(`${url}${path}`, { ...rest, headers });
    },
    async close() {
      await follower.subscription.stop();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
