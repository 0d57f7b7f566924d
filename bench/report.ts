/**
 * The monthly report at scale on the real Elasticsearch: loads N documents (default one million) of
 * one month into the pipeline's layout (one index per day of normal logs, one monthly index of
 * anomalies, behind a dedicated alias), 99% normal and 1% anomalies carrying every field the report
 * aggregates, then times the aggregation alone and the aggregation plus the PDF. Deletes its indices
 * at the end unless --keep (a second run with the same N then skips the load).
 * Usage: ELASTICSEARCH_URL=... npx tsx bench/report.ts [docs] [--keep]
 */
import { createElasticsearchReportSource, parseMonth, renderMonthlyReport } from "@soc/reporter";
import { DETECTION_RULES, type AlertStatus, type ProcessedLog } from "@soc/shared";
import { createElasticsearchStore } from "@soc/shared/elasticsearch";
import { logLine } from "./documents.ts";

const total = Number(process.argv.find((arg) => /^\d+$/.test(arg)) ?? 1_000_000);
const keep = process.argv.includes("--keep");
const month = parseMonth("2026-10");
if (month === null) throw new Error("bad month");
// Written "at the end of the month" with no retention: every document lands in its own day's index.
const store = createElasticsearchStore({
  url: process.env.ELASTICSEARCH_URL ?? "http://127.0.0.1:19200",
  index: `bench-report-${total}`,
  retention: null,
  now: () => month.end,
});
const STATUSES: AlertStatus[] = ["new", "new", "acknowledged", "resolved", "false_positive"];
const ORIGINS = [
  {
    geo: { country_iso_code: "US", country_name: "United States" },
    as: { number: 15_169, organization: { name: "Google LLC" } },
  },
  { geo: { country_iso_code: "CN", country_name: "China" }, as: { number: 4_134, organization: { name: "Chinanet" } } },
  {
    geo: { country_iso_code: "RU", country_name: "Russia" },
    as: { number: 12_389, organization: { name: "Rostelecom" } },
  },
  {
    geo: { country_iso_code: "NL", country_name: "Netherlands" },
    as: { number: 14_061, organization: { name: "DigitalOcean, LLC" } },
  },
  {
    geo: { country_iso_code: "DE", country_name: "Germany" },
    as: { number: 24_940, organization: { name: "Hetzner Online GmbH" } },
  },
  {
    geo: { country_iso_code: "BR", country_name: "Brazil" },
    as: { number: 28_573, organization: { name: "Claro NXT" } },
  },
];
// A whitelisted log is never an anomaly.
const ANOMALY_RULES = DETECTION_RULES.filter((rule) => rule !== "whitelist");
const ANOMALY_EVERY = 100;
const BATCH = 5_000;
const PARALLEL_BATCHES = 2;

function doc(i: number): ProcessedLog {
  // Spread over the month by a multiplicative hash, so every day's index fills at once.
  const timestamp = month!.start + ((i * 2_654_435_761) % (month!.end - month!.start));
  const source_ip = `203.0.${(i * 7) % 200}.${i % 250}`;
  if (i % ANOMALY_EVERY !== 0)
    return {
      id: `r-${i}`,
      message: logLine(i),
      timestamp,
      status: "new",
      is_anomaly: false,
      reason: null,
      source_ip,
      rule: null,
      source: "bench",
    };
  const status = STATUSES[i % STATUSES.length] as AlertStatus;
  const resolution = status === "resolved" || status === "false_positive" ? 300 + (i % 86_400) : null;
  return {
    id: `r-${i}`,
    message: logLine(i),
    timestamp,
    status,
    is_anomaly: true,
    reason: "Brute-force attempt detected.",
    source_ip,
    rule: ANOMALY_RULES[i % ANOMALY_RULES.length],
    source: "bench",
    client: ORIGINS[i % ORIGINS.length],
    resolution_seconds: resolution,
    status_updated_at: resolution === null ? null : timestamp + resolution,
  };
}

async function load(): Promise<void> {
  await store.dropIndices();
  await store.ensureReady();
  const started = performance.now();
  let next = 0;
  const lane = async (): Promise<void> => {
    for (let from = (next += BATCH) - BATCH; from < total; from = (next += BATCH) - BATCH) {
      await store.bulkIndex(Array.from({ length: Math.min(BATCH, total - from) }, (_, i) => doc(from + i)));
    }
  };
  await Promise.all(Array.from({ length: PARALLEL_BATCHES }, lane));
  const seconds = (performance.now() - started) / 1000;
  await store.client.indices.refresh({ index: store.index });
  const indices = await store.backingIndices();
  console.error(
    `loaded ${total} documents into ${indices.length} indices in ${seconds.toFixed(1)} s (${Math.round(total / seconds)} docs/s)`,
  );
}

const loaded =
  (await store.client.indices.exists({ index: store.index })) &&
  (await store.client.count({ index: store.index })).count === total;
if (!loaded) await load();
const indices = (await store.backingIndices()).length;

const source = createElasticsearchReportSource(store.client, store.index);
const RUNS = 7;
const aggregation: number[] = [];
const withPdf: number[] = [];
let incidents = 0;
for (let run = 0; run < RUNS; run++) {
  const started = performance.now();
  const summary = await source.monthlySummary(month);
  aggregation.push(performance.now() - started);
  let bytes = 0;
  for await (const chunk of renderMonthlyReport(summary, new Date())) bytes += (chunk as Buffer).length;
  withPdf.push(performance.now() - started);
  if (bytes === 0) throw new Error("empty PDF");
  if (summary.logsProcessed !== total)
    throw new Error(`the report counted ${summary.logsProcessed} logs, expected ${total}`);
  incidents = summary.incidents;
}
if (!keep) await store.dropIndices();
await store.close();
const median = (values: number[]): number =>
  Math.round([...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0);
console.log(
  JSON.stringify({
    bench: "monthly-report",
    docs: total,
    indices,
    incidents,
    runs: RUNS,
    firstAggregationMs: Math.round(aggregation[0] ?? 0),
    aggregationMedianMs: median(aggregation),
    aggregationMaxMs: Math.round(Math.max(...aggregation)),
    withPdfMedianMs: median(withPdf),
  }),
);
