/**
 * What the browser suites share: the embedded pipeline with one admin key, the dashboard served
 * against it, Debian's Chromium, and a client that posts logs.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type Browser } from "playwright-core";
import { silentLogger } from "@soc/shared";
import { startStandalone, type Standalone } from "@soc/standalone";
import { DEFAULT_KEYWORDS } from "@soc/worker";
import { startDashboardServer, type DashboardServer } from "../serve.ts";

export const KEY = "e2e-dashboard-admin-key-0123";

export interface Harness {
  pipeline: Standalone;
  dashboard: DashboardServer;
  browser: Browser;
  /** POST /logs with the admin key. */
  post(body: unknown): Promise<Response>;
  close(): Promise<void>;
}

export async function startHarness(): Promise<Harness> {
  const pipeline = await startStandalone({
    dataDir: mkdtempSync(join(tmpdir(), "soc-dashboard-e2e-")),
    apiPort: 0,
    access: [{ role: "admin", key: KEY }],
    detection: {
      keywords: DEFAULT_KEYWORDS,
      bruteForce: { threshold: 5, windowSeconds: 300 },
      spike: { baselineMinutes: 60, minRequestsPerMinute: 30, sigma: 3 },
    },
    whitelistSeed: [],
    // The bundled location databases, as `make run` opens them: alerts carry country and network.
    enrichment: {},
    frontendOrigins: ["*"],
    logger: silentLogger(),
  });
  const dashboard = await startDashboardServer({ port: 0, apiBaseUrl: pipeline.apiUrl });
  const browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  return {
    pipeline,
    dashboard,
    browser,
    post: (body) =>
      fetch(`${pipeline.apiUrl}/logs`, {
        method: "POST",
        headers: { authorization: `Bearer ${KEY}`, "content-type": "application/json" },
        body: JSON.stringify(body),
      }),
    async close() {
      await browser.close();
      await dashboard.close();
      await pipeline.close().catch(() => undefined);
    },
  };
}
