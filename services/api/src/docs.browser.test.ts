// Swagger UI at /docs in a real browser (Debian's Chromium via playwright-core), under the CSP the
// API sends: it loads offline, every operation expands with its parameters and answers, and nothing
// lands in the console (a CSP violation, a failed request or an unresolved $ref all would).
import { existsSync } from "node:fs";
import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { silentLogger } from "@soc/shared";
import { createMemoryStore } from "@soc/shared/memory";
import { createMemoryReportSource, createReportRoutes } from "@soc/reporter";
import { DOCUMENTED_ROUTES } from "./routes/index.ts";
import { startTestApi, type TestApi } from "./testing.ts";

const CHROMIUM = "/usr/bin/chromium";

describe.skipIf(!existsSync(CHROMIUM))(
  `/docs in Chromium (skipped: no ${CHROMIUM}; make system-packages installs it)`,
  () => {
    let api: TestApi;
    let browser: Browser;
    beforeAll(async () => {
      const store = createMemoryStore();
      api = await startTestApi({
        store,
        readRoutes: [createReportRoutes({ source: createMemoryReportSource(store), logger: silentLogger() })],
      });
      browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: [
          "--headless",
          "--no-sandbox",
          "--disable-gpu",
          "--no-first-run",
          "--disable-background-networking",
          "--disable-component-update",
          "--disable-sync",
        ],
      });
    });
    afterAll(async () => {
      await browser?.close();
      await api?.close();
    });

    it("loads with no console errors and expands every operation", async () => {
      const page = await browser.newPage();
      const problems: string[] = [];
      page.on("console", (message) => {
        if (message.type() === "error" || message.type() === "warning")
          problems.push(`console ${message.type()}: ${message.text()}`);
      });
      page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
      page.on("requestfailed", (request) =>
        problems.push(`request failed: ${request.url()} ${request.failure()?.errorText ?? ""}`),
      );
      page.on("response", (response) => {
        if (response.status() >= 400) problems.push(`HTTP ${response.status()}: ${response.url()}`);
      });

      await page.goto(`${api.url}/docs`);
      const operations = page.locator(".opblock");
      await operations.first().waitFor();
      expect(await operations.count()).toBe(DOCUMENTED_ROUTES.length);

      for (const route of DOCUMENTED_ROUTES) {
        const operation = page.locator(`#operations-${route.tag}-${route.operationId}`);
        await operation.locator(".opblock-summary-control").click();
        const body = operation.locator(".opblock-body");
        await body.waitFor();
        await body.locator(".responses-table").first().waitFor();
        const text = await body.innerText();
        expect(text, `${route.method} ${route.path}`).toContain(route.response.description);
        expect(text, `${route.method} ${route.path}`).not.toMatch(/Could not resolve reference|Resolver error/i);
      }
      expect(await page.locator(".errors-wrapper").count()).toBe(0);
      expect(problems).toEqual([]);
    }, 120_000);
  },
);
