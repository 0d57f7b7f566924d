/**
 * The analyst's paths in a real browser (Debian's Chromium via playwright-core) against the real
 * API of the embedded pipeline: key prompt, a brute-force alert appearing without reload, resolving
 * it, whitelisting an IP and seeing its logs treated as normal, downloading a report.
 * Screenshots of every view go to dashboard/test-output/. Exits non-zero on the first failure.
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { silentLogger } from "@soc/shared";
import { startStandalone } from "@soc/standalone";
import { DEFAULT_KEYWORDS } from "@soc/worker";
import { startDashboardServer } from "../serve.ts";

const KEY = "e2e-dashboard-admin-key-0123";
const output = fileURLToPath(new URL("../test-output/", import.meta.url));
mkdirSync(output, { recursive: true });

const pipeline = await startStandalone({
  dataDir: mkdtempSync(join(tmpdir(), "soc-dashboard-e2e-")),
  apiPort: 0,
  access: [{ role: "admin", key: KEY }],
  detection: { keywords: DEFAULT_KEYWORDS, bruteForce: { threshold: 5, windowSeconds: 300 }, spike: { baselineMinutes: 60, minRequestsPerMinute: 30, sigma: 3 } },
  whitelistSeed: [],
  frontendOrigins: ["*"],
  logger: silentLogger(),
});
const dashboard = await startDashboardServer({ port: 0, apiBaseUrl: pipeline.apiUrl });
const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
const post = (body: unknown): Promise<Response> =>
  fetch(`${pipeline.apiUrl}/logs`, { method: "POST", headers: { authorization: `Bearer ${KEY}`, "content-type": "application/json" }, body: JSON.stringify(body) });

try {
  // One browser profile, so a second tab shares its origin's storage.
  const profile = await browser.newContext({ viewport: { width: 1280, height: 860 }, acceptDownloads: true });
  const page = await profile.newPage();
  const shot = (name: string) => page.screenshot({ path: join(output, `${name}.png`), fullPage: true });
  await page.goto(dashboard.url);

  // No key yet: the prompt explains; a wrong key is refused with the API's reason.
  await page.getByLabel("API key").fill("wrong-key-0000000000");
  await page.getByRole("button", { name: "Use this key" }).click();
  await page.getByText("Invalid API key (HTTP 403).").waitFor();
  await shot("api-key");
  await page.getByLabel("API key").fill(KEY);
  await page.getByRole("button", { name: "Use this key" }).click();
  await page.getByRole("heading", { name: "Overview" }).waitFor();

  // The key stays with this tab (sessionStorage): a reload keeps it, nothing is left in
  // localStorage, and a new tab asks for it again.
  await page.reload();
  await page.getByRole("heading", { name: "Overview" }).waitFor();
  assert.equal(await page.evaluate("localStorage.getItem('soc-api-key')"), null, "the key is not kept in localStorage");
  const otherTab = await profile.newPage();
  await otherTab.goto(dashboard.url);
  await otherTab.getByLabel("API key").waitFor();
  await otherTab.close();

  // A brute force appears in the alerts view without a reload.
  await page.goto(`${dashboard.url}/#/alerts`);
  await page.getByText("No alerts match").waitFor();
  const base = Math.floor(Date.now() / 1000) - 60;
  for (let i = 0; i < 6; i++) assert.equal((await post({ message: `sshd[4242]: Failed password for root from 203.0.113.7 port ${50_000 + i} ssh2`, timestamp: base + i })).status, 200);
  const bruteForceRow = page.locator("tr", { hasText: "Brute-force attempt detected from 203.0.113.7 (5 attempts)." });
  await bruteForceRow.waitFor({ timeout: 15_000 });
  assert.equal(await bruteForceRow.getAttribute("class"), "fresh", "a new alert is highlighted");
  await shot("alerts");

  // Resolve it.
  await bruteForceRow.getByRole("button", { name: "Resolve" }).click();
  await bruteForceRow.getByText("Resolved").waitFor();

  // Triage several at once.
  await page.getByLabel(/^Select alert /).first().check();
  await page.getByLabel(/^Select alert /).nth(1).check();
  await page.getByRole("button", { name: "Mark false positive" }).click();
  await page.getByText("2 marked false positive.").waitFor();

  // Whitelist: invalid input is explained; a valid IP is added; its later logs are normal.
  await page.goto(`${dashboard.url}/#/whitelist`);
  await page.getByLabel("IP address or CIDR").fill("999.1.1.1");
  await page.getByRole("button", { name: "Add to whitelist" }).click();
  await page.getByText("'999.1.1.1' is not an IPv4 or IPv6 address.").waitFor();
  await page.getByLabel("IP address or CIDR").fill("198.51.100.77");
  await page.getByRole("button", { name: "Add to whitelist" }).click();
  await page.getByRole("cell", { name: "198.51.100.77" }).waitFor();
  await shot("whitelist");
  // A recognised format (sshd) places the client; an address only found in free text is never whitelisted.
  assert.equal((await post({ message: "sshd[4242]: Failed password for admin from 198.51.100.77 port 50022 ssh2" })).status, 200);
  await page.goto(`${dashboard.url}/#/logs`);
  const whitelistedRow = page.locator("tr", { hasText: "Failed password for admin from 198.51.100.77" });
  await whitelistedRow.waitFor({ timeout: 15_000 });
  assert.ok((await whitelistedRow.textContent())?.includes("Whitelisted IP"));
  await shot("normal-logs");

  // Removing asks for confirmation.
  await page.goto(`${dashboard.url}/#/whitelist`);
  await page.getByRole("button", { name: "Remove" }).click();
  await page.getByRole("heading", { name: "Remove 198.51.100.77 from the whitelist?" }).waitFor();
  await page.getByRole("dialog").getByRole("button", { name: "Remove" }).click();
  await page.getByText("198.51.100.77 removed from the whitelist.").waitFor();

  // An entry an IpWhitelist owns is managed in Git: shown with its owner, with no Remove offered.
  // The API's answer is amended in the browser (the embedded pipeline has no operator).
  await page.route(`${pipeline.apiUrl}/whitelist`, async (route) => {
    if (route.request().method() !== "GET") return route.fallback();
    const response = await route.fetch();
    await route.fulfill({ response, json: { whitelisted_ips: ["10.0.0.0/8"], entries: [{ ip: "10.0.0.0/8", owner: "IpWhitelist soc/office" }] } });
  });
  // Already on this view: only a reload asks the API again.
  await page.reload();
  const managed = page.locator("tr", { hasText: "10.0.0.0/8" });
  await managed.getByText("IpWhitelist soc/office").waitFor();
  await managed.getByText("Change it in Git").waitFor();
  assert.equal(await managed.getByRole("button", { name: "Remove" }).count(), 0);
  await shot("whitelist-git-managed");
  await page.unroute(`${pipeline.apiUrl}/whitelist`);

  // Reports: pick a month, download the PDF.
  await page.goto(`${dashboard.url}/#/reports`);
  await page.getByLabel("Month").fill(new Date().toISOString().slice(0, 7));
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Download PDF" }).click()]);
  const saved = join(output, "report.pdf");
  await download.saveAs(saved);
  assert.equal(readFileSync(saved).subarray(0, 5).toString(), "%PDF-");
  await shot("reports");

  // The overview with data, in light and dark themes.
  await page.goto(`${dashboard.url}/#/overview`);
  await page.getByText("Top source IPs").waitFor();
  await page.getByRole("cell", { name: "203.0.113.7" }).waitFor();
  await shot("overview");
  await page.getByRole("button", { name: "Toggle theme" }).click();
  await shot("overview-dark");
  await page.setViewportSize({ width: 1920, height: 1000 });
  await page.goto(`${dashboard.url}/#/alerts`);
  await bruteForceRow.waitFor();
  await shot("alerts-wide");

  // The API going away is shown with what to do.
  await pipeline.close();
  await page.goto(`${dashboard.url}/#/overview`);
  await page.getByText("Cannot load the overview.").waitFor({ timeout: 10_000 });
  await shot("api-down");
  console.log(`dashboard e2e: all paths passed; screenshots in ${output}`);
} finally {
  await browser.close();
  await dashboard.close();
  await pipeline.close().catch(() => undefined);
}
