/**
 * In-memory LogStore for the embedded default. With a data directory every write is appended to
 * a journal (`processed_logs.ndjson`) that is replayed on start, so alerts survive a restart; a
 * retention run rewrites the journal with only what it keeps.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { AlertStatus, ClientEnrichment, ProcessedLog } from "../messages.ts";
import {
  decodeCursor,
  encodeCursor,
  enrichmentOf,
  withStatus,
  type LogQuery,
  type LogStats,
  type LogStore,
  type StatsQuery,
} from "./log-store.ts";
import { isExpired } from "./retention.ts";
import { bucketStart, zeroFilledTimeline } from "./timeline.ts";

type JournalEntry = { doc: ProcessedLog } | { status: { id: string; status: AlertStatus; at: number } };

/** The exact-match filters, each absent or equal (or containing, for lists). */
function matchesFields(doc: ProcessedLog, query: LogQuery): boolean {
  if (query.is_anomaly !== undefined && doc.is_anomaly !== query.is_anomaly) return false;
  if (query.status !== undefined && !query.status.includes(doc.status)) return false;
  if (query.rule !== undefined && (doc.rule == null || !query.rule.includes(doc.rule))) return false;
  if (query.source_ip !== undefined && doc.source_ip !== query.source_ip) return false;
  return query.incident_id === undefined || doc.incident_id === query.incident_id;
}

export function matchesQuery(doc: ProcessedLog, query: LogQuery): boolean {
  if (!matchesFields(doc, query)) return false;
  if (query.from !== undefined && doc.timestamp < query.from) return false;
  if (query.to !== undefined && doc.timestamp > query.to) return false;
  return query.text === undefined || containsEveryWord(doc.message, query.text);
}

/** Case-insensitive, as Elasticsearch's `match` with operator "and" on the message. */
function containsEveryWord(message: string, text: string): boolean {
  const lower = message.toLowerCase();
  return text
    .toLowerCase()
    .split(/\s+/)
    .every((word) => lower.includes(word));
}

/** Newest first by event time, then by id, as the Elasticsearch store sorts. */
const newestFirst = (a: ProcessedLog, b: ProcessedLog): number =>
  b.timestamp - a.timestamp || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);

export function createMemoryStore(options: { dataDir?: string } = {}): LogStore {
  const docs = new Map<string, ProcessedLog>();
  const journal = options.dataDir === undefined ? null : join(options.dataDir, "processed_logs.ndjson");

  const applyEntry = (entry: JournalEntry): void => {
    if ("doc" in entry) {
      docs.set(entry.doc.id, entry.doc);
      return;
    }
    const doc = docs.get(entry.status.id);
    if (doc !== undefined) docs.set(doc.id, withStatus(doc, entry.status.status, entry.status.at));
  };
  const record = (entries: JournalEntry[]): void => {
    // Owner-only: processed logs hold whatever the lines carried (usernames, mistyped passwords).
    if (journal !== null)
      appendFileSync(journal, entries.map((entry) => `${JSON.stringify(entry)}\n`).join(""), { mode: 0o600 });
    for (const entry of entries) applyEntry(entry);
  };

  if (options.dataDir !== undefined && journal !== null) {
    mkdirSync(options.dataDir, { recursive: true });
    if (existsSync(journal)) {
      for (const line of readFileSync(journal, "utf8").split("\n")) {
        if (line.trim() !== "") applyEntry(JSON.parse(line) as JournalEntry);
      }
    }
  }

  return {
    async ensureReady() {},

    async bulkIndex(batch) {
      record(batch.map((doc) => ({ doc })));
    },

    async search(query) {
      const matching = [...docs.values()].filter((doc) => matchesQuery(doc, query)).sort(newestFirst);
      const cursor = query.cursor === undefined ? null : decodeCursor(query.cursor);
      const start =
        cursor === null
          ? 0
          : matching.findIndex(
              (doc) => newestFirst(doc, { timestamp: cursor.timestamp, id: cursor.id } as ProcessedLog) > 0,
            );
      const items = start < 0 ? [] : matching.slice(start, start + query.size);
      const last = items.at(-1);
      const next_cursor =
        items.length === query.size && last !== undefined
          ? encodeCursor({ timestamp: last.timestamp, id: last.id })
          : null;
      return { items, next_cursor, total: matching.length };
    },

    async get(id) {
      return docs.get(id) ?? null;
    },

    async stats(query) {
      return statsOf([...docs.values()], query);
    },

    async updateStatus(id, status, nowSeconds) {
      if (!docs.has(id)) return false;
      record([{ status: { id, status, at: nowSeconds } }]);
      return true;
    },

    async updateIncidentStatus(incidentId, status, nowSeconds) {
      const ids = [...docs.values()].filter((doc) => doc.incident_id === incidentId).map((doc) => doc.id);
      record(ids.map((id) => ({ status: { id, status, at: nowSeconds } })));
      return ids;
    },

    async applyRetention(policy, nowSeconds) {
      const expired = [...docs.values()].filter((doc) => isExpired(doc, policy, nowSeconds));
      if (expired.length === 0) return { deletedIndices: [], deletedDocuments: 0 };
      for (const doc of expired) docs.delete(doc.id);
      if (journal !== null) {
        // A new file renamed over the old one: a crash leaves one journal or the other, never half of one.
        const next = `${journal}.next`;
        writeFileSync(
          next,
          [...docs.values()].map((doc) => `${JSON.stringify({ doc } satisfies JournalEntry)}\n`).join(""),
          { mode: 0o600 },
        );
        renameSync(next, journal);
      }
      return { deletedIndices: [], deletedDocuments: expired.length };
    },

    async ping() {},
    async close() {},
  };
}

/** Each address's enrichment as its newest document that has one says (the databases may have changed since older ones). */
function latestEnrichmentByIp(docs: ProcessedLog[]): Map<string, ClientEnrichment> {
  const latest = new Map<string, { doc: ProcessedLog; client: ClientEnrichment }>();
  for (const doc of docs) {
    const client = enrichmentOf(doc.client);
    if (doc.source_ip === null || client === undefined) continue;
    const known = latest.get(doc.source_ip);
    if (known === undefined || newestFirst(doc, known.doc) < 0) latest.set(doc.source_ip, { doc, client });
  }
  return new Map([...latest].map(([ip, { client }]) => [ip, client]));
}

/** The overview figures computed over documents in memory; mirrors the Elasticsearch aggregations. */
export function statsOf(all: ProcessedLog[], query: StatsQuery): LogStats {
  const inRange = all.filter((doc) => matchesQuery(doc, { size: 0, from: query.from, to: query.to }));
  const anomalies = inRange.filter((doc) => doc.is_anomaly);
  const increment = (counts: Record<string, number>, key: string): void => {
    counts[key] = (counts[key] ?? 0) + 1;
  };
  const by_rule: Record<string, number> = {};
  const by_status: Record<string, number> = {};
  const byIp: Record<string, number> = {};
  const byBucket: Record<string, number> = {};
  for (const doc of anomalies) {
    if (doc.rule != null) increment(by_rule, doc.rule);
    increment(by_status, doc.status);
    if (doc.source_ip !== null) increment(byIp, doc.source_ip);
    increment(byBucket, String(bucketStart(doc.timestamp, query.bucketSeconds)));
  }
  const origins = latestEnrichmentByIp(anomalies);
  const top_source_ips = Object.entries(byIp)
    .sort(([ipA, a], [ipB, b]) => b - a || ipA.localeCompare(ipB))
    .slice(0, query.topIps)
    .map(([ip, count]) => {
      const client = origins.get(ip);
      return client === undefined ? { ip, count } : { ip, count, client };
    });
  const counted = Object.entries(byBucket)
    .map(([t, count]) => ({ t: Number(t), count }))
    .sort((a, b) => a.t - b.t);
  const timeline =
    query.from !== undefined && query.to !== undefined
      ? zeroFilledTimeline(counted, { from: query.from, to: query.to, bucketSeconds: query.bucketSeconds })
      : counted;
  return { total: inRange.length, anomalies: anomalies.length, by_rule, by_status, top_source_ips, timeline };
}
