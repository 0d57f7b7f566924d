/**
 * The analyst's paths in a real browser (Debian's Chromium via playwright-core) against the real
 * API of the embedded pipeline: key prompt, a brute-force alert appearing without reload, resolving
 * it, whitelisting an IP and seeing its logs treated as normal, downloading a report, the overview's
 * time axis and range picker (kept in the URL), its top IPs and reasons opening filtered alerts, and
 * resolving an incident with its alerts.
 * Screenshots of every view go to dashboard/test-output/. Exits non-zero on the first failure.
 */
import assert from "node:assert/strict";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { bucketLabel } from "../src/lib/chart.ts";
import { localInputValue } from "../src/lib/time-zone.ts";
import type { Locator } from "playwright-core";
import { KEY, startHarness } from "./harness.ts";

/** The browser's zone: charts and the range picker show its times, not the machine's. */
const ZONE = "America/New_York";
const output = fileURLToPath(new URL("../test-output/", import.meta.url));
mkdirSync(output, { recursive: true });

/** The alerts table's Origin cell as the user reads it, blanks collapsed. */
const originText = async (row: Locator): Promise<string> =>
  ((await row.locator("td.origin").textContent()) ?? "").replace(/\s+/g, " ").trim();

const harness = await startHarness();
const { pipeline, dashboard, browser, post } = harness;

try {
  // One browser profile, so a second tab shares its origin's storage.
  const profile = await browser.newContext({
    viewport: { width: 1280, height: 860 },
    acceptDownloads: true,
    timezoneId: ZONE,
    locale: "en-US",
  });
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
  for (let i = 0; i < 6; i++)
    assert.equal(
      (
        await post({
          message: `sshd[4242]: Failed password for root from 203.0.113.7 port ${50_000 + i} ssh2`,
          timestamp: base + i,
        })
      ).status,
      200,
    );
  const bruteForceRow = page.locator("tr", { hasText: "Brute-force attempt detected from 203.0.113.7 (5 attempts)." });
  await bruteForceRow.waitFor({ timeout: 15_000 });
  assert.equal(await bruteForceRow.getAttribute("class"), "fresh", "a new alert is highlighted");
  // Where the source is: a documentation address is named as such; a public one by country and AS.
  assert.equal(await originText(bruteForceRow), "documentation range");
  for (let i = 0; i < 5; i++)
    assert.equal(
      (
        await post({
          message: `sshd[4243]: Failed password for invalid user admin from 8.8.8.8 port ${51_000 + i} ssh2`,
          timestamp: base + i,
        })
      ).status,
      200,
    );
  const locatedRow = page.locator("tr", { hasText: "Brute-force attempt detected from 8.8.8.8" });
  await locatedRow.waitFor({ timeout: 15_000 });
  assert.match(await originText(locatedRow), /^🇺🇸 US AS15169 Google/i);
  assert.equal(await locatedRow.locator("td.origin abbr").getAttribute("title"), "United States");
  await shot("alerts");

  // Resolve it.
  await bruteForceRow.getByRole("button", { name: "Resolve" }).click();
  await bruteForceRow.getByText("Resolved").waitFor();

  // Triage several at once.
  await page
    .getByLabel(/^Select alert /)
    .first()
    .check();
  await page
    .getByLabel(/^Select alert /)
    .nth(1)
    .check();
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
  assert.equal(
    (await post({ message: "sshd[4242]: Failed password for admin from 198.51.100.77 port 50022 ssh2" })).status,
    200,
  );
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
    await route.fulfill({
      response,
      json: { whitelisted_ips: ["10.0.0.0/8"], entries: [{ ip: "10.0.0.0/8", owner: "IpWhitelist soc/office" }] },
    });
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
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("button", { name: "Download PDF" }).click(),
  ]);
  const saved = join(output, "report.pdf");
  await download.saveAs(saved);
  assert.equal(readFileSync(saved).subarray(0, 5).toString(), "%PDF-");
  await shot("reports");

  // The overview over time, in the browser's time zone (New York here): axes with labels, every
  // hour of the day with quiet ones at 0, a picker that puts the range in the URL.
  const now = Math.floor(Date.now() / 1000);
  const hour = (offset: number): number => Math.floor(now / 3600) * 3600 + offset * 3600;
  assert.equal(
    (await post({ message: "clamd: malware signature found in upload from 192.0.2.44", timestamp: hour(-3) + 60 }))
      .status,
    200,
  );
  await page.goto(`${dashboard.url}/#/overview`);
  const chart = page.getByRole("group", { name: /^Alerts per hour, / });
  await chart.waitFor();
  await page.getByRole("heading", { name: "Alerts over time (per hour)" }).waitFor();
  await chart.getByText("Time (America/New_York)").waitFor();
  await chart.getByText("Alerts", { exact: true }).waitFor();
  const xLabels = await chart.locator(".axis.x text:not(.title)").allTextContents();
  assert.ok(
    xLabels.length >= 3 && xLabels.every((label) => /^\d\d:00$|^[A-Z][a-z]{2} \d{1,2}$/.test(label)),
    `time ticks: ${xLabels.join(", ")}`,
  );
  assert.equal(await chart.getByRole("link").count(), 25, "a day of hourly bars, the current hour's included");
  const bar = (start: number, count: number) =>
    chart.getByRole("link", {
      name: `${bucketLabel(start, 3600, ZONE, "en-US")}: ${count} ${count === 1 ? "alert" : "alerts"}`,
    });
  await bar(hour(-3), 1).waitFor({ timeout: 15_000 });
  await bar(hour(-2), 0).waitFor();
  // Arrow keys walk the bars.
  await bar(hour(-2), 0).focus();
  await page.keyboard.press("ArrowLeft");
  assert.equal(
    await page.locator(":focus").getAttribute("aria-label"),
    `${bucketLabel(hour(-3), 3600, ZONE, "en-US")}: 1 alert`,
  );
  await page.getByRole("link", { name: "203.0.113.7: " }).waitFor();
  // The top IPs say where each address is; the full name is in the link's label.
  const locatedIp = page.getByRole("link", { name: /^8\.8\.8\.8: \d+ alerts?, United States, AS15169 Google/i });
  assert.equal((await locatedIp.locator(".label").textContent())?.trim(), "8.8.8.8🇺🇸 US");
  await shot("overview");
  const alertsFigure = page.locator(".figure", { hasText: /^\s*[\d,]+\s*Alerts\s*$/ }).locator(".value");
  const dayAlerts = Number(await alertsFigure.textContent());

  // The picker changes the URL and the data; back and forward step through ranges.
  await page.getByRole("group", { name: "Time range" }).getByRole("link", { name: "Last hour" }).click();
  await page.waitForURL(/#\/overview\?range=1h$/);
  await page.getByRole("heading", { name: "Alerts over time (per minute)" }).waitFor();
  await alertsFigure.filter({ hasText: new RegExp(`^${dayAlerts - 1}$`) }).waitFor();
  await page.getByLabel("From", { exact: true }).fill(localInputValue(hour(-4), ZONE));
  await page.getByLabel("To", { exact: true }).fill(localInputValue(hour(-2) - 60, ZONE));
  await page.getByRole("button", { name: "Apply range" }).click();
  await page.waitForURL(new RegExp(`#/overview\\?from=${new Date(hour(-4) * 1000).toISOString().slice(0, 19)}Z&to=`));
  await page.getByRole("heading", { name: "Alerts over time (per 5 minutes)" }).waitFor();
  await page.getByRole("link", { name: "192.0.2.44: 1 alert" }).waitFor();
  await alertsFigure.filter({ hasText: /^1$/ }).waitFor();
  await page.goBack();
  await page.waitForURL(/range=1h$/);
  await page.getByRole("heading", { name: "Alerts over time (per minute)" }).waitFor();
  await page.goBack();
  await page.waitForURL(/#\/overview$/);
  await page.getByRole("heading", { name: "Alerts over time (per hour)" }).waitFor();

  // A top IP opens its alerts in the same range; a bar opens the alerts of its hour.
  await page.getByRole("link", { name: "203.0.113.7: " }).click();
  await page.waitForURL(/#\/alerts\?range=24h&ip=203\.0\.113\.7$/);
  assert.equal(await page.getByLabel("Source IP").inputValue(), "203.0.113.7");
  await bruteForceRow.waitFor();
  const sources = await page.locator("tbody tr td:nth-child(3)").allTextContents();
  assert.ok(
    sources.length > 0 && sources.every((source) => source.trim() === "203.0.113.7"),
    `sources: ${sources.join(", ")}`,
  );
  await page.goBack();
  await page.getByRole("link", { name: /^Keyword: / }).click();
  await page.waitForURL(/#\/alerts\?range=24h&reason=keyword$/);
  assert.equal(await page.getByLabel(/^Reason/).inputValue(), "keyword");
  await page.goBack();
  await bar(hour(-3), 1).click();
  await page.waitForURL(/#\/alerts\?from=.*&to=/);
  await page.locator("tr", { hasText: "malware signature found in upload from 192.0.2.44" }).waitFor();
  assert.equal(await page.locator("tbody tr").count(), 1, "only the alert of that hour");

  await page.goto(`${dashboard.url}/#/overview`);
  await chart.waitFor();
  await page.getByRole("button", { name: "Toggle theme" }).click();
  await shot("overview-dark");
  await page.setViewportSize({ width: 1920, height: 1000 });
  await page.goto(`${dashboard.url}/#/alerts`);
  await bruteForceRow.waitFor();
  await shot("alerts-wide");

  // The templates mined so far, most recently seen first; new ones highlighted; searched by source.
  assert.equal(
    (await post({ message: "Accepted publickey for deploy from 203.0.113.9 port 50122 ssh2", source: "sshd" })).status,
    200,
  );
  await page.setViewportSize({ width: 1280, height: 860 });
  await page.goto(`${dashboard.url}/#/patterns`);
  const failedTemplate = page.locator("tr", { hasText: "Failed password for root from <IP> port <NUM> ssh2" });
  await failedTemplate.waitFor();
  assert.equal(await failedTemplate.getAttribute("class"), "fresh", "a template first seen today is highlighted");
  assert.match((await failedTemplate.locator("td").nth(2).textContent()) ?? "", /^\s*6\s*$/, "six lines of it");
  await page.getByLabel("Source").fill("sshd");
  await page.getByRole("button", { name: "Search" }).click();
  await page.locator("tr", { hasText: "Accepted publickey for deploy from <IP> port <NUM> ssh2" }).waitFor();
  assert.equal(await page.locator("tbody tr").count(), 1, "only the sshd source's template");
  await shot("patterns");

  // Incidents: the brute force from 8.8.8.8 is one open incident; resolving it resolves its alert.
  await page.goto(`${dashboard.url}/#/incidents`);
  const incidentRow = page.locator("tr", { hasText: "8.8.8.8" }).filter({ hasText: "Brute force" });
  await incidentRow.waitFor();
  await incidentRow.getByRole("button", { name: "Resolve" }).click();
  await page.getByText("Incident on 8.8.8.8 marked resolved, with its 1 alert.").waitFor();
  await shot("incidents");
  await page.goto(`${dashboard.url}/#/alerts`);
  await locatedRow.getByText("Resolved").waitFor();

  // The API going away is shown with what to do.
  await pipeline.close();
  await page.goto(`${dashboard.url}/#/overview`);
  await page.getByText("Cannot load the overview.").waitFor({ timeout: 10_000 });
  await shot("api-down");
  console.log(`dashboard e2e: all paths passed; screenshots in ${output}`);
} finally {
  await harness.close();
}
