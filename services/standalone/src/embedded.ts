/**
 * The embedded default of `make run`, as a function main() calls and tests start twice: settings
 * from the environment, an owner-only data directory, the admin key (created and shown on the
 * first start only), the API with the worker, and the dashboard when it was built.
 */
import { chmodSync, existsSync, mkdirSync, readdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { DEFAULT_DIST, startDashboardServer } from "@soc/dashboard/serve";
import { z } from "zod";
import { autoBanRulesSetting, parseApiKeys } from "@soc/api";
import { commaList, createLogger, parseConfig, port, retentionPolicyOf } from "@soc/shared";
import { detectionConfigOf, enrichmentSettingsOf, parseWorkerEnv } from "@soc/worker";
import { loadOrCreateKeys } from "./api-keys.ts";
import { startStandalone, type StandaloneOptions } from "./standalone.ts";

const settingsSchema = z.object({
  DATA_DIR: z.string().min(1).default(".data"),
  API_PORT: port.default(8000),
  API_HOST: z.string().default("127.0.0.1"),
  DASHBOARD_PORT: port.default(3000),
  AUTH_MODE: z.enum(["keys", "open"]).default("keys"),
  API_KEYS: z.string().default(""),
  // The dashboard may be opened by either name of the loopback address.
  FRONTEND_ORIGIN: commaList.default(["http://localhost:3000", "http://127.0.0.1:3000"]),
  /** AUTH_MODE=open only: host names besides loopback the API answers to (e.g. with API_HOST=0.0.0.0). */
  ALLOWED_HOSTS: commaList.default([]),
  AUTO_BAN_RULES: autoBanRulesSetting,
});

export interface EmbeddedOptions {
  env: Record<string, string | undefined>;
  /** Where the admin key created on the first start is shown, once. */
  print(text: string): void;
  /** The built dashboard; served only when it holds index.html. */
  distDir?: string;
}

export interface Embedded {
  apiUrl: string;
  dashboardUrl: string | null;
  dataDir: string;
  close(): Promise<void>;
}

/**
 * The data directory holds the admin key and every processed log: owner-only (0700, files 0600)
 * on every start, whatever an older version, a copy or a umask left behind.
 */
export function keepPrivate(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) keepPrivate(path);
    else if (entry.isFile()) chmodSync(path, 0o600);
  }
}

export async function startEmbedded(options: EmbeddedOptions): Promise<Embedded> {
  const settings = parseConfig(settingsSchema, options.env);
  const workerEnv = parseWorkerEnv(options.env);
  const logger = createLogger("soc-pipeline", workerEnv.LOG_LEVEL);
  const dataDir = resolve(settings.DATA_DIR);
  keepPrivate(dataDir);

  let access: StandaloneOptions["access"] = "open";
  if (settings.AUTH_MODE === "keys") {
    if (settings.API_KEYS !== "") access = parseApiKeys(settings.API_KEYS);
    else {
      const bootstrap = loadOrCreateKeys(dataDir);
      access = bootstrap.keys;
      if (bootstrap.createdAdminKey !== null) {
        // Shown once, on the start that created it; it stays in the file (mode 0600).
        options.print(`\nAdmin API key (saved in ${bootstrap.file}):\n  ${bootstrap.createdAdminKey}\n\n`);
      }
    }
  } else {
    logger.warn(
      { allowedHosts: settings.ALLOWED_HOSTS },
      "AUTH_MODE=open: every caller is admin (through localhost, 127.0.0.1, ::1 and ALLOWED_HOSTS only)",
    );
  }

  const pipeline = await startStandalone({
    dataDir,
    apiPort: settings.API_PORT,
    host: settings.API_HOST,
    access,
    allowedHosts: settings.ALLOWED_HOSTS,
    detection: detectionConfigOf(workerEnv),
    whitelistSeed: workerEnv.WHITELISTED_IPS,
    frontendOrigins: settings.FRONTEND_ORIGIN,
    // RETENTION_ENABLED, RETENTION_NORMAL_DAYS, RETENTION_ANOMALY_DAYS: the store settings every service reads.
    retention: retentionPolicyOf(workerEnv),
    autoBanRules: settings.AUTO_BAN_RULES,
    // GEOIP_ENRICHMENT, GEOIP_COUNTRY_DB, GEOIP_ASN_DB, GEOIP_CACHE_SIZE, as the worker reads them.
    enrichment: enrichmentSettingsOf(workerEnv),
    logger,
  });
  const distDir = options.distDir ?? DEFAULT_DIST;
  const apiBaseUrl = `http://localhost:${new URL(pipeline.apiUrl).port}`;
  const dashboard = existsSync(join(distDir, "index.html"))
    ? await startDashboardServer({ port: settings.DASHBOARD_PORT, host: settings.API_HOST, distDir, apiBaseUrl })
    : null;
  logger.info(
    {
      api: pipeline.apiUrl,
      docs: `${pipeline.apiUrl}/docs`,
      dashboard: dashboard?.url ?? "not built (npm run build -w @soc/dashboard)",
      dataDir,
    },
    "SOC Pipeline running (embedded)",
  );

  return {
    apiUrl: pipeline.apiUrl,
    dashboardUrl: dashboard?.url ?? null,
    dataDir,
    async close() {
      await dashboard?.close();
      await pipeline.close();
    },
  };
}
