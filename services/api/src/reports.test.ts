/** The monthly report as the API serves it: @soc/reporter's route mounted behind the API's keys. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMemoryReportSource, createReportRoutes } from "@soc/reporter";
import { MONTH_OF_DOCS, pdfText } from "@soc/reporter/testing";
import { silentLogger } from "@soc/shared";
import { createMemoryStore } from "@soc/shared/memory";
import { startTestApi, type TestApi } from "./testing.ts";

describe("GET /reports/monthly.pdf", () => {
  let api: TestApi;
  beforeAll(async () => {
    const store = createMemoryStore();
    await store.bulkIndex(MONTH_OF_DOCS);
    api = await startTestApi({
      store,
      readRoutes: [
        createReportRoutes({
          source: createMemoryReportSource(store),
          logger: silentLogger(),
          now: () => new Date("2026-11-01T06:00:00Z"),
        }),
      ],
    });
  });
  afterAll(async () => {
    await api.close();
  });

  it("streams a PDF whose text carries the month's figures", async () => {
    const response = await api.request("/reports/monthly.pdf?month=2026-10", { key: "read" });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/pdf");
    expect(response.headers.get("content-disposition")).toBe('attachment; filename="soc-report-2026-10.pdf"');
    const text = pdfText(Buffer.from(await response.arrayBuffer()));
    expect(text).toContain("Monthly security report");
    expect(text).toMatch(/Logs processed/);
    expect(text).toMatch(/Brute force\s+2/);
    expect(text).toMatch(/203\.0\.113\.7\s+3/);
    expect(text).toMatch(/Median time to resolve\s+1\.0 h/);
    expect(text).toContain("page 1 of 1");
  });

  it("says 'No incidents' for an empty month", async () => {
    const response = await api.request("/reports/monthly.pdf?month=2025-02", { key: "read" });
    expect(pdfText(Buffer.from(await response.arrayBuffer()))).toContain("No incidents were detected in 2025-02.");
  });

  it.each(["2026-13", "2026-1", "october", ""])("answers 400 for the month %j", async (month) => {
    const response = await api.request(`/reports/monthly.pdf?month=${month}`, { key: "read" });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { detail: string }).detail).toMatch(/^month: expected YYYY-MM/);
  });

  it("needs a key", async () => {
    expect((await api.request("/reports/monthly.pdf?month=2026-10", { key: null })).status).toBe(401);
  });
});
