/** `make run`: the embedded pipeline with a local data directory and a key created on first start. */
import { existsSync, mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { DEFAULT_DIST, startDashboardServer } from "@soc/dashboard/serve";
import { z } from "zod";
import { parseApiKeys } from "@soc/api";
import { commaList, createLogger, onShutdownSignal, parseConfig, port } from "@soc/shared";
import { detectionConfigOf, parseWorkerEnv } from "@soc/worker";
import { loadOrCreateKeys } from "./api-keys.ts";
import { startStandalone } from "./standalone.ts";

const env = process.env;
const settings = parseConfig(
  z.object({
    DATA_DIR: z.string().min(1).default(".data"),
    API_PORT: port.default(8000),
    API_HOST: z.string().default("127.0.0.1"),
    DASHBOARD_PORT: port.default(3000),
    AUTH_MODE: z.enum(["keys", "open"]).default("keys"),
    API_KEYS: z.string().default(""),
    // The dashboard may be opened by either name of the loopback address.
    FRONTEND_ORIGIN: commaList.default(["http://localhost:3000", "http://127.0.0.1:3000"]),
  }),
  env,
);
const workerEnv = parseWorkerEnv(env);
const logger = createLogger("soc-pipeline", workerEnv.LOG_LEVEL);
const dataDir = resolve(settings.DATA_DIR);
mkdirSync(dataDir, { recursive: true });

let access: Parameters<typeof startStandalone>[0]["access"] = "open";
if (settings.AUTH_MODE === "keys") {
  if (settings.API_KEYS !== "") access = parseApiKeys(settings.API_KEYS);
  else {
    const bootstrap = loadOrCreateKeys(dataDir);
    access = bootstrap.keys;
    if (bootstrap.createdAdminKey !== null) {
      // Printed once, on the start that created it; it stays in the file (mode 0600).
      process.stdout.write(`\nAdmin API key (saved in ${bootstrap.file}):\n  ${bootstrap.createdAdminKey}\n\n`);
    }
  }
} else {
  logger.warn("AUTH_MODE=open: every caller is admin");
}

const pipeline = await startStandalone({
  dataDir,
  apiPort: settings.API_PORT,
  host: settings.API_HOST,
  access,
  detection: detectionConfigOf(workerEnv),
  whitelistSeed: workerEnv.WHITELISTED_IPS,
  frontendOrigins: settings.FRONTEND_ORIGIN,
  logger,
});
// The dashboard is served when it was built (make run builds it).
const dashboard = existsSync(join(DEFAULT_DIST, "index.html"))
  ? await startDashboardServer({ port: settings.DASHBOARD_PORT, host: settings.API_HOST, apiBaseUrl: `http://localhost:${settings.API_PORT}` })
  : null;
logger.info({ api: pipeline.apiUrl, docs: `${pipeline.apiUrl}/docs`, dashboard: dashboard?.url ?? "not built (npm run build -w @soc/dashboard)", dataDir }, "SOC Pipeline running (embedded)");

onShutdownSignal(async () => {
  await dashboard?.close();
  await pipeline.close();
});
