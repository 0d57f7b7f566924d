/**
 * The screenshots of docs/screenshots/ from a realistic data set: the loghub OpenSSH sample
 * (testdata/loghub, 2 000 sshd lines of 10 December 2025, 06:55 to 11:04 UTC) replayed through
 * the embedded pipeline with its own event times, shown in Chromium in UTC, the sample's zone.
 *
 *   npm run build -w @soc/dashboard && npm run screenshots -w @soc/dashboard
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { readOpenSshSample } from "@soc/worker";
import { KEY, startHarness } from "./harness.ts";

const output = fileURLToPath(new URL("../../docs/screenshots/", import.meta.url));
mkdirSync(output, { recursive: true });
const SAMPLE_DAY = "from=2025-12-10T00:00:00Z&to=2025-12-10T23:59:59Z";
const SAMPLE_MORNING = "from=2025-12-10T06:30:00Z&to=2025-12-10T11:30:00Z";

const harness = await startHarness();
const { pipeline, dashboard, browser, post } = harness;

try {
  const sample = readOpenSshSample();
  const posted = await post(sample);
  if (posted.status !== 200) throw new Error(`POST /logs answered ${posted.status}: ${await posted.text()}`);
  // The worker runs beside the API: wait until it has stored every line.
  for (let attempt = 0; ; attempt++) {
    const stats = (await (
      await fetch(`${pipeline.apiUrl}/stats`, { headers: { authorization: `Bearer ${KEY}` } })
    ).json()) as { total: number };
    if (stats.total === sample.length) break;
    if (attempt === 300) throw new Error(`only ${stats.total} of ${sample.length} lines stored after 30 s`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }

  const profile = await browser.newContext({
    viewport: { width: 1280, height: 860 },
    acceptDownloads: true,
    timezoneId: "UTC",
    locale: "en-GB",
  });
  const page = await profile.newPage();
  // Tables are shown as far as the window reaches; the overview whole.
  const shot = (name: string, fullPage = false) => page.screenshot({ path: join(output, `${name}.png`), fullPage });

  await page.goto(dashboard.url);
  await page.getByLabel("API key").fill("not-the-key-000000000");
  await page.getByRole("button", { name: "Use this key" }).click();
  await page.getByText("Invalid API key (HTTP 403).").waitFor();
  await shot("api-key");
  await page.getByLabel("API key").fill(KEY);
  await page.getByRole("button", { name: "Use this key" }).click();

  // The sample's day: quiet hours at 0 around five busy ones; a bar's tooltip.
  await page.goto(`${dashboard.url}/#/overview?${SAMPLE_DAY}`);
  const chart = page.getByRole("group", { name: /^Alerts per hour, / });
  await chart.waitFor();
  await chart.getByRole("link", { name: /, 09:00–10:00: / }).hover();
  await shot("overview", true);

  // Its busy morning in 5-minute buckets, dark.
  await page.goto(`${dashboard.url}/#/overview?${SAMPLE_MORNING}`);
  await page.getByRole("heading", { name: "Alerts over time (per 5 minutes)" }).waitFor();
  await page.getByRole("button", { name: "Toggle theme" }).click();
  await shot("overview-dark", true);
  await page.getByRole("button", { name: "Toggle theme" }).click();

  // The top source IP, clicked: its alerts in the same range.
  await page.goto(`${dashboard.url}/#/overview?${SAMPLE_DAY}`);
  await page.getByRole("list", { name: "Top source IPs" }).getByRole("link").first().click();
  await page.locator("tbody tr").first().waitFor();
  await shot("alerts");

  await page.goto(`${dashboard.url}/#/logs?${SAMPLE_DAY}`);
  await page.locator("tbody tr").first().waitFor();
  await shot("normal-logs");

  await page.goto(`${dashboard.url}/#/whitelist`);
  await page.getByLabel("IP address or CIDR").fill("10.0.0.0/8");
  await page.getByRole("button", { name: "Add to whitelist" }).click();
  await page.getByRole("cell", { name: "10.0.0.0/8" }).waitFor();
  await shot("whitelist");

  await page.goto(`${dashboard.url}/#/reports`);
  await page.getByLabel("Month").fill("2025-12");
  await shot("reports");

  await pipeline.close();
  await page.goto(`${dashboard.url}/#/overview?${SAMPLE_DAY}`);
  await page.getByText("Cannot load the overview.").waitFor({ timeout: 10_000 });
  await shot("api-down");
  console.log(`screenshots of ${sample.length} replayed lines in ${output}`);
} finally {
  await harness.close();
}
