/**
 * Monthly report over one month of N documents (default one million) on the real Elasticsearch:
 * loads them once into a dedicated index, then times figures (aggregations) and the PDF.
 * Usage: ELASTICSEARCH_URL=... npx tsx bench/report.ts [docs]
 */
import { createElasticsearchReportSource, parseMonth, renderMonthlyReport } from "@soc/reporter";
import type { AlertStatus, ProcessedLog } from "@soc/shared";
import { createElasticsearchStore } from "@soc/shared/elasticsearch";
import { logLine } from "./documents.ts";

const total = Number(process.argv[2] ?? 1_000_000);
const month = parseMonth("2026-10");
if (month === null) throw new Error("bad month");
const store = createElasticsearchStore({ url: process.env.ELASTICSEARCH_URL ?? "http://127.0.0.1:19200", index: `bench-report-${total}` });
const RULES = ["brute_force", "traffic_spike", "keyword"] as const;
const STATUSES: AlertStatus[] = ["new", "acknowledged", "resolved", "false_positive"];

function doc(i: number): ProcessedLog {
  const timestamp = month!.start + ((i * 2_654_435_761) % (month!.end - month!.start));
  const anomaly = i % 5 < 2;
  const status = anomaly ? (STATUSES[i % 4] as AlertStatus) : "new";
  const closed = status === "resolved" || status === "false_positive";
  const resolution = closed ? 300 + (i % 86_400) : null;
  return {
    id: `r-${i}`,
    message: logLine(i),
    timestamp,
    status,
    is_anomaly: anomaly,
    reason: anomaly ? "Log contains anomalous keyword." : null,
    source_ip: `203.0.${(i * 7) % 200}.${i % 250}`,
    rule: anomaly ? RULES[i % 3] : null,
    source: "bench",
    resolution_seconds: resolution,
    status_updated_at: resolution === null ? null : timestamp + resolution,
  };
}

const exists = await store.client.indices.exists({ index: store.index });
if (!exists || (await store.client.count({ index: store.index })).count !== total) {
  if (exists) await store.dropIndices();
  await store.ensureReady();
  await store.client.indices.putSettings({ index: store.index, settings: { refresh_interval: "-1" } });
  const loadStarted = performance.now();
  for (let from = 0; from < total; from += 5_000) await store.bulkIndex(Array.from({ length: Math.min(5_000, total - from) }, (_, i) => doc(from + i)));
  await store.client.indices.putSettings({ index: store.index, settings: { refresh_interval: "1s" } });
  await store.client.indices.refresh({ index: store.index });
  await store.client.indices.forcemerge({ index: store.index, max_num_segments: 1 });
  console.error(`loaded ${total} documents in ${((performance.now() - loadStarted) / 1000).toFixed(1)} s`);
}

const source = createElasticsearchReportSource(store.client, store.index);
const runs: number[] = [];
let incidents = 0;
for (let run = 0; run < 5; run++) {
  const started = performance.now();
  const summary = await source.monthlySummary(month);
  const pdf = renderMonthlyReport(summary, new Date());
  let bytes = 0;
  for await (const chunk of pdf) bytes += (chunk as Buffer).length;
  runs.push(performance.now() - started);
  incidents = summary.incidents;
  if (bytes === 0) throw new Error("empty PDF");
}
runs.sort((a, b) => a - b);
await store.close();
console.log(JSON.stringify({ bench: "monthly-report", docs: total, incidents, runs: runs.length, medianMs: Math.round(runs[2] ?? 0), maxMs: Math.round(runs[4] ?? 0), firstRunIncluded: true }));
