import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LogStore } from "@soc/shared";
import { createMemoryStore } from "@soc/shared/memory";
import { createElasticsearchStore } from "@soc/shared/elasticsearch";
import { missingInfra, realInfra, uniqueName } from "@soc/shared/testing";
import { createElasticsearchReportSource } from "./elasticsearch-source.ts";
import { createMemoryReportSource } from "./memory-source.ts";
import { renderMonthlyReport } from "./pdf.ts";
import { parseMonth, type MonthlySummary, type ReportSource } from "./summary.ts";
import { MONTH_OF_DOCS, pdfText } from "./testing.ts";

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
      // The private address (i4) has neither country nor AS.
      topCountries: [
        { code: "US", name: "United States", count: 2 },
        { code: "RU", name: "Russia", count: 1 },
      ],
      topNetworks: [
        { asNumber: 15_169, organization: "Google LLC", count: 2 },
        { asNumber: 12_389, organization: "ПАО Ростелеком", count: 1 },
      ],
    });
    expect(summary.daily).toHaveLength(31);
    expect(summary.daily.filter((d) => d.count > 0)).toEqual([
      { day: "2026-10-01", count: 2 },
      { day: "2026-10-15", count: 1 },
      { day: "2026-10-31", count: 1 },
    ]);
  });

  it("prints the top countries and networks in the PDF", async () => {
    const summary = await source.monthlySummary(parseMonth("2026-10") ?? { label: "", start: 0, end: 0 });
    const text = pdfText(await pdfBytes(renderMonthlyReport(summary, new Date("2026-11-01T06:00:00Z"))));
    expect(text).toContain("Where the incidents came from");
    expect(text).toMatch(/United States \(US\)\s+2\n/);
    expect(text).toMatch(/Russia \(RU\)\s+1\n/);
    expect(text).toMatch(/AS15169 Google LLC\s+2\n/);
    expect(text).toMatch(/AS12389 \?{3} \?{10}\s+1\n/);
  });
}

async function pdfBytes(doc: ReturnType<typeof renderMonthlyReport>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of doc) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
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
    store = createElasticsearchStore({
      url: realInfra.elasticsearchUrl ?? "",
      index: uniqueName("report"),
      refreshOnWrite: true,
    });
    await store.ensureReady();
    return { store, source: createElasticsearchReportSource(store.client, store.index) };
  });
});

describe("the monthly PDF", () => {
  it("carries a long month onto a second page, numbered, with no blank pages", async () => {
    const ten = Array.from({ length: 10 }, (_, i) => i);
    const summary: MonthlySummary = {
      month: "2026-10",
      logsProcessed: 1_000,
      incidents: 100,
      byRule: { brute_force: 100 },
      topIps: ten.map((i) => ({ ip: `192.0.2.${i}`, count: 10 })),
      topCountries: ten.map((i) => ({ code: `A${String.fromCharCode(65 + i)}`, name: `Country ${i}`, count: 10 })),
      topNetworks: ten.map((i) => ({ asNumber: 64_500 + i, organization: `Network ${i}`, count: 10 })),
      daily: [{ day: "2026-10-01", count: 100 }],
      byStatus: { new: 100 },
      timeToResolve: { count: 0, averageSeconds: null, medianSeconds: null },
    };
    const pages = pdfText(await pdfBytes(renderMonthlyReport(summary, new Date("2026-11-01T06:00:00Z"))))
      .split("\f")
      .filter((page) => page.trim() !== "");
    expect(pages).toHaveLength(2);
    expect(pages[0]).toContain("page 1 of 2");
    expect(pages[1]).toMatch(/AS64509 Network 9\s+10\n/);
    expect(pages[1]).toContain("page 2 of 2");
  });
});
