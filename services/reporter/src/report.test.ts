import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApi, type TestApi } from "@soc/api";
import { createElasticsearchStore, createMemoryStore, silentLogger, type LogStore, type ProcessedLog } from "@soc/shared";
import { missingInfra, realInfra, uniqueName } from "@soc/shared/testing";
import { createElasticsearchReportSource } from "./elasticsearch-source.ts";
import { createMemoryReportSource } from "./memory-source.ts";
import { createReportRoutes } from "./routes.ts";
import { parseMonth, type ReportSource } from "./summary.ts";

const october = Date.UTC(2026, 9, 1) / 1000;
const incident = (id: string, day: number, overrides: Partial<ProcessedLog> = {}): ProcessedLog => ({
  id,
  message: "sshd[1]: Failed password for root from 203.0.113.7 port 22 ssh2",
  timestamp: october + (day - 1) * 86_400 + 3_600,
  status: "new",
  is_anomaly: true,
  reason: "Brute-force attempt detected from 203.0.113.7 (5 attempts).",
  source_ip: "203.0.113.7",
  rule: "brute_force",
  ...overrides,
});
const MONTH_OF_DOCS: ProcessedLog[] = [
  incident("i1", 1),
  incident("i2", 1, { status: "resolved", status_updated_at: october + 3_600 + 1_800, resolution_seconds: 1_800 }),
  incident("i3", 15, { rule: "keyword", source_ip: "198.51.100.4", status: "false_positive", status_updated_at: october + 14 * 86_400 + 3_600 + 5_400, resolution_seconds: 5_400 }),
  incident("i4", 31, { rule: "traffic_spike", status: "acknowledged" }),
  incident("n1", 2, { is_anomaly: false, rule: null, reason: null }),
  incident("sept", -5),
];

function pdfText(pdf: Buffer): string {
  const file = join(mkdtempSync(join(tmpdir(), "report-")), "report.pdf");
  writeFileSync(file, pdf);
  return execFileSync("pdftotext", ["-layout", file, "-"], { encoding: "utf8" });
}

function reportSourceContract(makeSource: () => Promise<{ source: ReportSource; store: LogStore }>): void {
  let source: ReportSource;
  beforeAll(async () => {
    const made = await makeSource();
    await made.store.bulkIndex(MONTH_OF_DOCS);
    source = made.source;
  });

  it("adds up the month: logs, incidents by type, top IPs, statuses and time to resolve", async () => {
    const summary = await source.monthlySummary(parseMonth("2026-10") ?? { label: "", start: 0, end: 0 });
    expect(summary).toMatchObject({
      month: "2026-10",
      logsProcessed: 5,
      incidents: 4,
      byRule: { brute_force: 2, keyword: 1, traffic_spike: 1 },
      topIps: [
        { ip: "203.0.113.7", count: 3 },
        { ip: "198.51.100.4", count: 1 },
      ],
      byStatus: { new: 1, resolved: 1, false_positive: 1, acknowledged: 1 },
      timeToResolve: { count: 2, averageSeconds: 3_600, medianSeconds: 3_600 },
    });
    expect(summary.daily).toHaveLength(31);
    expect(summary.daily.filter((d) => d.count > 0)).toEqual([
      { day: "2026-10-01", count: 2 },
      { day: "2026-10-15", count: 1 },
      { day: "2026-10-31", count: 1 },
    ]);
  });
}

describe("monthly report figures from the in-memory store", () => {
  reportSourceContract(async () => {
    const store = createMemoryStore();
    return { store, source: createMemoryReportSource(store) };
  });
});

describe.skipIf(missingInfra("elasticsearchUrl"))("monthly report figures from Elasticsearch aggregations", () => {
  let store: ReturnType<typeof createElasticsearchStore> | undefined;
  afterAll(async () => {
    await store?.dropIndices();
    await store?.close();
  });
  reportSourceContract(async () => {
    store = createElasticsearchStore({ url: realInfra.elasticsearchUrl ?? "", index: uniqueName("report"), refreshOnWrite: true });
    await store.ensureReady();
    return { store, source: createElasticsearchReportSource(store.client, store.index) };
  });
});

describe("GET /reports/monthly.pdf", () => {
  let api: TestApi;
  beforeAll(async () => {
    const store = createMemoryStore();
    await store.bulkIndex(MONTH_OF_DOCS);
    api = await startTestApi({ store, readRoutes: [createReportRoutes({ source: createMemoryReportSource(store), logger: silentLogger(), now: () => new Date("2026-11-01T06:00:00Z") })] });
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
