/** The LogStore on Elasticsearch 8 (`processed_logs`): bulk writes by id, search_after paging. */
import { errors, type Client } from "@elastic/elasticsearch";
import type { estypes } from "@elastic/elasticsearch";
import type { ElasticsearchEnv } from "../config.ts";
import type { ProcessedLog } from "../messages.ts";
import { createElasticsearchClient, elasticsearchConnectionOf, explained, type ElasticsearchConnection } from "./elasticsearch-connection.ts";
import { DEFAULT_INDEX, decodeCursor, encodeCursor, withStatus, type LogStats, type LogStore } from "./log-store.ts";

export interface ElasticsearchStoreOptions extends ElasticsearchConnection {
  index?: string;
  /** Wait for a refresh after writes so they are searchable at once (tests); off in production. */
  refreshOnWrite?: boolean;
  /** Primary shards of a newly created index (default 1). */
  shards?: number;
  /** Replicas of a newly created index; unset: 0 on one node, 1 once there are two (auto_expand_replicas). */
  replicas?: number;
}

export function elasticsearchStoreOptionsOf(env: ElasticsearchEnv): ElasticsearchStoreOptions {
  return {
    ...elasticsearchConnectionOf(env),
    index: env.ELASTICSEARCH_INDEX,
    shards: env.ELASTICSEARCH_SHARDS,
    ...(env.ELASTICSEARCH_REPLICAS === undefined ? {} : { replicas: env.ELASTICSEARCH_REPLICAS }),
  };
}

/**
 * Settings of an index the store creates. A fixed 0 replicas lost data with any node on a real
 * cluster, and a fixed 1 leaves a one-node cluster yellow for good, hence auto-expand by default.
 */
export function indexSettingsOf(options: Pick<ElasticsearchStoreOptions, "shards" | "replicas">): estypes.IndicesIndexSettings {
  const replicas = options.replicas === undefined ? { auto_expand_replicas: "0-1" } : { number_of_replicas: options.replicas };
  return { number_of_shards: options.shards ?? 1, ...replicas };
}

/** The contract's mapping (docs/contract.md): source_ip as `ip`, timestamp as a `date` in epoch seconds. */
export const PROCESSED_LOGS_MAPPING: estypes.MappingTypeMapping = {
  dynamic: "strict",
  properties: {
    id: { type: "keyword" },
    message: { type: "text" },
    timestamp: { type: "date", format: "epoch_second" },
    status: { type: "keyword" },
    is_anomaly: { type: "boolean" },
    reason: { type: "text", fields: { keyword: { type: "keyword", ignore_above: 512 } } },
    // A malformed address must not make the whole document fail and block the partition.
    source_ip: { type: "ip", ignore_malformed: true },
    source_host: { type: "keyword", ignore_above: 253 },
    source_ip_inferred: { type: "boolean" },
    rule: { type: "keyword" },
    source: { type: "keyword" },
    endpoint: { type: "keyword", ignore_above: 2048 },
    ingested_at: { type: "date", format: "epoch_millis" },
    status_updated_at: { type: "date", format: "epoch_second" },
    resolution_seconds: { type: "double" },
  },
};

export function createElasticsearchStore(options: ElasticsearchStoreOptions): LogStore & { client: Client; index: string } {
  const index = options.index ?? DEFAULT_INDEX;
  const client = createElasticsearchClient(options);
  const refresh = options.refreshOnWrite === true ? "wait_for" : false;

  const isNotFound = (error: unknown): boolean => error instanceof errors.ResponseError && error.statusCode === 404;

  return {
    client,
    index,

    async ensureReady() {
      await explained(options, async () => {
        if (await client.indices.exists({ index })) {
          // Fields added since the index was created (the mapping is strict): adding fields is always allowed.
          await client.indices.putMapping({ index, properties: PROCESSED_LOGS_MAPPING.properties });
          return;
        }
        try {
          await client.indices.create({ index, mappings: PROCESSED_LOGS_MAPPING, settings: indexSettingsOf(options) });
        } catch (error) {
          // Another replica created it first.
          if (!(error instanceof errors.ResponseError && error.body?.error?.type === "resource_already_exists_exception")) throw error;
        }
      });
    },

    async bulkIndex(docs) {
      if (docs.length === 0) return;
      const operations = docs.flatMap((doc) => [{ index: { _index: index, _id: doc.id } }, doc]);
      const response = await client.bulk({ operations, refresh });
      if (!response.errors) return;
      const failed = response.items.map((item) => item.index).filter((item) => item?.error !== undefined);
      const first = failed[0]?.error;
      throw new Error(`Elasticsearch rejected ${failed.length} of ${docs.length} documents: ${first?.type ?? "?"}: ${first?.reason ?? ""}`);
    },

    async search(query) {
      const filter: estypes.QueryDslQueryContainer[] = [];
      if (query.is_anomaly !== undefined) filter.push({ term: { is_anomaly: query.is_anomaly } });
      if (query.status !== undefined) filter.push({ terms: { status: query.status } });
      if (query.rule !== undefined) filter.push({ terms: { rule: query.rule } });
      if (query.source_ip !== undefined) filter.push({ term: { source_ip: query.source_ip } });
      if (query.from !== undefined || query.to !== undefined) {
        filter.push({ range: { timestamp: { gte: query.from, lte: query.to, format: "epoch_second" } } });
      }
      const must: estypes.QueryDslQueryContainer[] =
        query.text === undefined ? [] : [{ match: { message: { query: query.text, operator: "and" } } }];
      const cursor = query.cursor === undefined ? null : decodeCursor(query.cursor);
      const response = await client.search<ProcessedLog>({
        index,
        size: query.size,
        track_total_hits: true,
        query: { bool: { filter, must } },
        sort: [{ timestamp: { order: "desc" } }, { id: { order: "desc" } }],
        ...(cursor === null ? {} : { search_after: [cursor.timestamp, cursor.id] }),
      });
      const hits = response.hits.hits;
      const items = hits.flatMap((hit) => (hit._source === undefined ? [] : [hit._source]));
      const lastSort = hits.at(-1)?.sort;
      const total = typeof response.hits.total === "number" ? response.hits.total : (response.hits.total?.value ?? 0);
      const next_cursor =
        items.length === query.size && lastSort !== undefined ? encodeCursor({ timestamp: Number(lastSort[0]), id: String(lastSort[1]) }) : null;
      return { items, next_cursor, total };
    },

    async get(id) {
      try {
        const response = await client.get<ProcessedLog>({ index, id });
        return response._source ?? null;
      } catch (error) {
        if (isNotFound(error)) return null;
        throw error;
      }
    },

    async stats(query): Promise<LogStats> {
      const range = { range: { timestamp: { gte: query.from, lte: query.to, format: "epoch_second" } } };
      const response = await client.search({
        index,
        size: 0,
        track_total_hits: true,
        query: { bool: { filter: [range] } },
        aggs: {
          anomalies: {
            filter: { term: { is_anomaly: true } },
            aggs: {
              by_rule: { terms: { field: "rule", size: 20 } },
              by_status: { terms: { field: "status", size: 10 } },
              top_ips: { terms: { field: "source_ip", size: query.topIps } },
              timeline: { histogram: { field: "timestamp", interval: query.bucketSeconds * 1000, min_doc_count: 1 } },
            },
          },
        },
      });
      type Bucket = { key: string | number; doc_count: number };
      type Aggs = { anomalies: { doc_count: number } & Record<"by_rule" | "by_status" | "top_ips" | "timeline", { buckets: Bucket[] }> };
      const aggs = response.aggregations as unknown as Aggs;
      const counts = (buckets: Bucket[]): Record<string, number> => Object.fromEntries(buckets.map((b) => [String(b.key), b.doc_count]));
      const total = typeof response.hits.total === "number" ? response.hits.total : (response.hits.total?.value ?? 0);
      return {
        total,
        anomalies: aggs.anomalies.doc_count,
        by_rule: counts(aggs.anomalies.by_rule.buckets),
        by_status: counts(aggs.anomalies.by_status.buckets),
        top_source_ips: aggs.anomalies.top_ips.buckets.map((b) => ({ ip: String(b.key), count: b.doc_count })),
        // Date fields aggregate in epoch milliseconds.
        timeline: aggs.anomalies.timeline.buckets.map((b) => ({ t: Number(b.key) / 1000, count: b.doc_count })),
      };
    },

    async updateStatus(id, status, nowSeconds) {
      // Read-modify-write of the whole document: a partial update makes Elasticsearch re-render a
      // fractional epoch_second timestamp in scientific notation, which its own parser rejects.
      for (let attempt = 0; ; attempt++) {
        let current;
        try {
          current = await client.get<ProcessedLog>({ index, id });
        } catch (error) {
          if (isNotFound(error)) return false;
          throw error;
        }
        if (current._source === undefined) return false;
        try {
          await client.index({
            index,
            id,
            document: withStatus(current._source, status, nowSeconds),
            if_seq_no: current._seq_no,
            if_primary_term: current._primary_term,
            refresh: "wait_for",
          });
          return true;
        } catch (error) {
          const conflict = error instanceof errors.ResponseError && error.statusCode === 409;
          if (!conflict || attempt >= 3) throw error;
        }
      }
    },

    async ping() {
      await explained(options, () => client.cluster.health({ timeout: "2s" }, { requestTimeout: 3_000, maxRetries: 0 }));
    },

    async close() {
      await client.close();
    },
  };
}
