/**
 * What time-based indices cost at start-up and in a retention run, on the real Elasticsearch:
 * moving an older concrete index behind the alias (clone + alias swap), deleting whole expired
 * day indices, and pruning an older mixed index document by document (what every run would cost
 * without per-period indices). Usage: ELASTICSEARCH_URL=... npx tsx bench/retention.ts [legacyDocs] [days]
 */
import { createElasticsearchStore, PROCESSED_LOGS_MAPPING } from "@soc/shared/elasticsearch";
import { processedDoc } from "./documents.ts";

const legacyDocs = Number(process.argv[2] ?? 100_000);
const days = Number(process.argv[3] ?? 40);
const url = process.env.ELASTICSEARCH_URL ?? "http://127.0.0.1:19200";
const DAY = 86_400;
const now = Math.floor(Date.now() / 1000);
const policy = { normalDays: 30, anomalyDays: 400 };
let clock = now;
const store = createElasticsearchStore({ url, index: `bench-retention-${Date.now()}`, now: () => clock });
const seconds = async (action: () => Promise<unknown>): Promise<number> => {
  const started = performance.now();
  await action();
  return +((performance.now() - started) / 1000).toFixed(2);
};

try {
  // An install from before time-based indices: one index, events spread over the last 90 days.
  await store.client.indices.create({ index: store.index, mappings: PROCESSED_LOGS_MAPPING });
  for (let from = 0; from < legacyDocs; from += 5_000) {
    const docs = Array.from({ length: Math.min(5_000, legacyDocs - from) }, (_, i) => processedDoc(from + i, 0)).map(
      (doc, i) => ({ ...doc, timestamp: now - ((from + i) % 90) * DAY - 60 }),
    );
    await store.client.bulk({
      operations: docs.flatMap((doc) => [{ index: { _index: store.index, _id: doc.id } }, doc]),
    });
  }
  await store.client.indices.refresh({ index: store.index });
  const migrationSeconds = await seconds(() => store.ensureReady());
  let pruned = 0;
  const pruneSeconds = await seconds(async () => (pruned = (await store.applyRetention(policy, now)).deletedDocuments));

  // One index a day for `days` days, 1,000 normal logs each, written as the worker wrote them then.
  for (let day = days; day > 0; day--) {
    clock = now - day * DAY;
    await store.bulkIndex(
      Array.from({ length: 1_000 }, (_, i) => ({
        ...processedDoc(day * 1_000 + i, clock),
        is_anomaly: false,
        rule: null,
        reason: null,
      })),
    );
  }
  clock = now;
  let deletedIndices = 0;
  const deleteSeconds = await seconds(
    async () => (deletedIndices = (await store.applyRetention(policy, now)).deletedIndices.length),
  );
  console.log(
    JSON.stringify({
      bench: "retention",
      legacyDocs,
      migrationSeconds,
      prunedDocs: pruned,
      pruneSeconds,
      prunedDocsPerSecond: Math.round(pruned / pruneSeconds),
      dayIndices: days,
      deletedIndices,
      deleteSeconds,
    }),
  );
} finally {
  await store.dropIndices();
  await store.close();
}
