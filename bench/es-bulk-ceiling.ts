/**
 * Ceiling for the pipeline: how fast this machine's Elasticsearch takes the worker's documents in
 * bulk requests, with nothing else in the way. Usage: ELASTICSEARCH_URL=... npx tsx bench/es-bulk-ceiling.ts [docs]
 */
import { createElasticsearchStore } from "@soc/shared/elasticsearch";
import { processedDoc } from "./documents.ts";

const total = Number(process.argv[2] ?? 200_000);
const batchSize = 2_000;
const concurrency = 2;
const url = process.env.ELASTICSEARCH_URL ?? "http://127.0.0.1:19200";
const store = createElasticsearchStore({ url, index: `bench-ceiling-${Date.now()}` });
await store.ensureReady();

const base = Math.floor(Date.now() / 1000);
let next = 0;
const started = performance.now();
async function lane(): Promise<void> {
  while (next < total) {
    const from = next;
    next += batchSize;
    const docs = [];
    for (let i = from; i < Math.min(from + batchSize, total); i++) docs.push(processedDoc(i, base));
    await store.bulkIndex(docs);
  }
}
await Promise.all(Array.from({ length: concurrency }, lane));
const seconds = (performance.now() - started) / 1000;
await store.dropIndices();
await store.close();
console.log(
  JSON.stringify({
    bench: "es-bulk-ceiling",
    docs: total,
    batchSize,
    concurrency,
    seconds: +seconds.toFixed(2),
    docsPerSecond: Math.round(total / seconds),
  }),
);
