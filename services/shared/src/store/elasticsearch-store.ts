/**
 * The LogStore on Elasticsearch 8: writes by id into time-based indices, reads and status changes
 * through the `processed_logs` alias over all of them (elasticsearch-indices.ts), search_after paging.
 */
import { errors, type Client } from "@elastic/elasticsearch";
import type { estypes } from "@elastic/elasticsearch";
import type { ElasticsearchEnv } from "../config.ts";
import type { DocumentClient, ProcessedLog } from "../messages.ts";
import {
  createElasticsearchClient,
  elasticsearchConnectionOf,
  explained,
  type ElasticsearchConnection,
} from "./elasticsearch-connection.ts";
import { createIndexManager } from "./elasticsearch-indices.ts";
import {
  DEFAULT_INDEX,
  decodeCursor,
  encodeCursor,
  enrichmentOf,
  withStatus,
  type LogQuery,
  type LogStats,
  type LogStore,
  type StatsQuery,
} from "./log-store.ts";
import {
  backingIndexOf,
  DEFAULT_LAYOUT,
  DEFAULT_RETENTION,
  indexLayoutOf,
  retentionPolicyOf,
  type IndexLayout,
  type RetentionPolicy,
} from "./retention.ts";

export interface ElasticsearchStoreOptions extends ElasticsearchConnection {
  /** The alias every read goes through; the indices behind it are named after it (default processed_logs). */
  index?: string;
  /** How much event time one index covers, per family (default: a day of normal logs, a month of anomalies). */
  layout?: IndexLayout;
  /** Writes go to indices this policy keeps (null: no retention); default 30 and 400 days. */
  retention?: RetentionPolicy | null;
  /** Epoch seconds; the system clock unless a test sets it. */
  now?: () => number;
  /** Wait for a refresh after writes so they are searchable at once (tests); off in production. */
  refreshOnWrite?: boolean;
  /** Primary shards of a newly created index (default 1). */
  shards?: number;
  /** Replicas of a newly created index; unset: 0 on one node, 1 once there are two (auto_expand_replicas). */
  replicas?: number;
}

/** One page of a search sorted by (time, id) descending: its documents, the cursor after it, the total. */
export function pageOf<T>(
  response: estypes.SearchResponse<T>,
  size: number,
): { items: T[]; next_cursor: string | null; total: number } {
  const hits = response.hits.hits;
  const items = hits.flatMap((hit) => (hit._source === undefined ? [] : [hit._source]));
  const lastSort = hits.at(-1)?.sort;
  const total = typeof response.hits.total === "number" ? response.hits.total : (response.hits.total?.value ?? 0);
  const next_cursor =
    items.length === size && lastSort !== undefined
      ? encodeCursor({ timestamp: Number(lastSort[0]), id: String(lastSort[1]) })
      : null;
  return { items, next_cursor, total };
}

export function elasticsearchStoreOptionsOf(env: ElasticsearchEnv): ElasticsearchStoreOptions {
  return {
    ...elasticsearchConnectionOf(env),
    index: env.ELASTICSEARCH_INDEX,
    layout: indexLayoutOf(env),
    retention: retentionPolicyOf(env),
    shards: env.ELASTICSEARCH_SHARDS,
    ...(env.ELASTICSEARCH_REPLICAS === undefined ? {} : { replicas: env.ELASTICSEARCH_REPLICAS }),
  };
}

/**
 * Settings of an index the store creates. A fixed 0 replicas lost data with any node on a real
 * cluster, and a fixed 1 leaves a one-node cluster yellow for good, hence auto-expand by default.
 */
export function indexSettingsOf(
  options: Pick<ElasticsearchStoreOptions, "shards" | "replicas">,
): estypes.IndicesIndexSettings {
  const replicas =
    options.replicas === undefined ? { auto_expand_replicas: "0-1" } : { number_of_replicas: options.replicas };
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
    trace: { properties: { id: { type: "keyword" } } },
    pattern: { properties: { id: { type: "keyword" }, template: { type: "keyword", ignore_above: 2048 } } },
    severity: { type: "keyword" },
    incident_id: { type: "keyword" },
    // ECS (docs/messages.md). client.ip is an `ip` without ignore_malformed: the worker writes only
    // addresses it parsed and wrote in canonical form, so a malformed one is a bug to see, not to hide.
    client: {
      properties: {
        ip: { type: "ip" },
        port: { type: "long" },
        domain: { type: "keyword", ignore_above: 253 },
        geo: { properties: { country_iso_code: { type: "keyword" }, country_name: { type: "keyword" } } },
        as: {
          properties: {
            number: { type: "long" },
            organization: { properties: { name: { type: "keyword", ignore_above: 256 } } },
          },
        },
        network: { type: "keyword" },
      },
    },
    user: { properties: { name: { type: "keyword", ignore_above: 256 } } },
    event: { properties: { category: { type: "keyword" }, type: { type: "keyword" }, outcome: { type: "keyword" } } },
    host: { properties: { name: { type: "keyword", ignore_above: 255 } } },
    process: { properties: { name: { type: "keyword", ignore_above: 255 }, pid: { type: "long" } } },
  },
};

type Located = { index: string; doc: ProcessedLog };

/** Alerts changed per bulk request when an incident is triaged. */
const INCIDENT_PAGE = 500;

/** The exact-match part of a query; its text is a scored `match` beside these. */
function queryFilters(query: LogQuery): estypes.QueryDslQueryContainer[] {
  const filter: estypes.QueryDslQueryContainer[] = [];
  if (query.is_anomaly !== undefined) filter.push({ term: { is_anomaly: query.is_anomaly } });
  if (query.status !== undefined) filter.push({ terms: { status: query.status } });
  if (query.rule !== undefined) filter.push({ terms: { rule: query.rule } });
  if (query.source_ip !== undefined) filter.push({ term: { source_ip: query.source_ip } });
  if (query.incident_id !== undefined) filter.push({ term: { incident_id: query.incident_id } });
  if (query.from !== undefined || query.to !== undefined)
    filter.push({ range: { timestamp: { gte: query.from, lte: query.to, format: "epoch_second" } } });
  return filter;
}

/** The newest enriched document of a bucket, its country, AS and network only: statsOf's latestEnrichmentByIp. */
const LATEST_ENRICHMENT: estypes.AggregationsAggregationContainer = {
  filter: {
    bool: {
      should: ["client.geo.country_iso_code", "client.as.number", "client.network"].map((field) => ({
        exists: { field },
      })),
      minimum_should_match: 1,
    },
  },
  aggs: {
    latest: {
      top_hits: {
        size: 1,
        sort: [{ timestamp: { order: "desc" } }, { id: { order: "desc" } }],
        _source: { includes: ["client.geo", "client.as", "client.network"] },
      },
    },
  },
};

/** Buckets as statsOf makes them: over a closed range every bucket (extended_bounds, epoch ms), otherwise only those with alerts. */
function timelineHistogram({ from, to, bucketSeconds }: StatsQuery): estypes.AggregationsDateHistogramAggregation {
  const buckets = { field: "timestamp", fixed_interval: `${bucketSeconds}s` };
  if (from === undefined || to === undefined) return { ...buckets, min_doc_count: 1 };
  return {
    ...buckets,
    min_doc_count: 0,
    extended_bounds: { min: Math.floor(from * 1000), max: Math.floor(to * 1000) },
  };
}

export function createElasticsearchStore(
  options: ElasticsearchStoreOptions,
): LogStore & { client: Client; index: string; backingIndices(): Promise<string[]>; dropIndices(): Promise<void> } {
  const index = options.index ?? DEFAULT_INDEX;
  const client = createElasticsearchClient(options);
  const refresh = options.refreshOnWrite === true ? "wait_for" : false;
  const layout = options.layout ?? DEFAULT_LAYOUT;
  const retention = options.retention === undefined ? DEFAULT_RETENTION : options.retention;
  const now = options.now ?? (() => Date.now() / 1000);
  const indices = createIndexManager(client, {
    alias: index,
    layout,
    settings: indexSettingsOf(options),
    mapping: PROCESSED_LOGS_MAPPING,
  });

  /**
   * Where a document is stored, whichever index behind the alias: the anomaly first if a redelivery
   * that changed the verdict left one copy in each family. A search, so it sees what was refreshed (1 s).
   */
  const locate = async (id: string): Promise<Located[]> => {
    const response = await client.search<ProcessedLog>({
      index,
      size: 2,
      query: { ids: { values: [id] } },
      sort: [{ is_anomaly: { order: "desc" } }],
    });
    return response.hits.hits.flatMap((hit) =>
      hit._source === undefined ? [] : [{ index: hit._index, doc: hit._source }],
    );
  };

  /** Read-modify-write of the document in its own index, guarded by its sequence number. */
  const updateIn = async (
    target: string,
    id: string,
    status: ProcessedLog["status"],
    nowSeconds: number,
  ): Promise<void> => {
    for (let attempt = 0; ; attempt++) {
      const current = await client.get<ProcessedLog>({ index: target, id }).catch((error: unknown) => {
        // Deleted meanwhile (a retention run): nothing left to change.
        if (error instanceof errors.ResponseError && error.statusCode === 404) return null;
        throw error;
      });
      if (current?._source === undefined) return;
      try {
        // The whole document: a partial update makes Elasticsearch re-render a fractional
        // epoch_second timestamp in scientific notation, which its own parser rejects.
        await client.index({
          index: target,
          id,
          document: withStatus(current._source, status, nowSeconds),
          if_seq_no: current._seq_no,
          if_primary_term: current._primary_term,
          refresh: "wait_for",
        });
        return;
      } catch (error) {
        const conflict = error instanceof errors.ResponseError && error.statusCode === 409;
        if (!conflict || attempt >= 3) throw error;
      }
    }
  };

  return {
    client,
    index,
    backingIndices: indices.backingIndices,
    dropIndices: indices.drop,

    async ensureReady() {
      await explained(options, () => indices.ensure(now()));
    },

    async bulkIndex(docs) {
      if (docs.length === 0) return;
      const at = now();
      // A new period's index is created on its first write, from the template (mapping, settings, alias).
      const operations = docs.flatMap((doc) => [
        { index: { _index: backingIndexOf(index, doc, layout, retention, at), _id: doc.id } },
        doc,
      ]);
      const response = await client.bulk({ operations, refresh });
      if (!response.errors) return;
      const failed = response.items.map((item) => item.index).filter((item) => item?.error !== undefined);
      const first = failed[0]?.error;
      throw new Error(
        `Elasticsearch rejected ${failed.length} of ${docs.length} documents: ${first?.type ?? "?"}: ${first?.reason ?? ""}`,
      );
    },

    async search(query) {
      const filter = queryFilters(query);
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
      return pageOf(response, query.size);
    },

    async get(id) {
      return (await locate(id))[0]?.doc ?? null;
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
              top_ips: { terms: { field: "source_ip", size: query.topIps }, aggs: { enriched: LATEST_ENRICHMENT } },
              timeline: { date_histogram: timelineHistogram(query) },
            },
          },
        },
      });
      type Bucket = { key: string | number; doc_count: number };
      type IpBucket = Bucket & {
        enriched: { latest: { hits: { hits: { _source?: { client?: DocumentClient } }[] } } };
      };
      type Aggs = {
        anomalies: { doc_count: number; top_ips: { buckets: IpBucket[] } } & Record<
          "by_rule" | "by_status" | "timeline",
          { buckets: Bucket[] }
        >;
      };
      const aggs = response.aggregations as unknown as Aggs;
      const counts = (buckets: Bucket[]): Record<string, number> =>
        Object.fromEntries(buckets.map((b) => [String(b.key), b.doc_count]));
      const total = typeof response.hits.total === "number" ? response.hits.total : (response.hits.total?.value ?? 0);
      return {
        total,
        anomalies: aggs.anomalies.doc_count,
        by_rule: counts(aggs.anomalies.by_rule.buckets),
        by_status: counts(aggs.anomalies.by_status.buckets),
        top_source_ips: aggs.anomalies.top_ips.buckets.map((b) => {
          const client = enrichmentOf(b.enriched.latest.hits.hits[0]?._source?.client);
          return client === undefined
            ? { ip: String(b.key), count: b.doc_count }
            : { ip: String(b.key), count: b.doc_count, client };
        }),
        // Date fields aggregate in epoch milliseconds.
        timeline: aggs.anomalies.timeline.buckets.map((b) => ({ t: Number(b.key) / 1000, count: b.doc_count })),
      };
    },

    async updateStatus(id, status, nowSeconds) {
      const found = await locate(id);
      for (const { index: target } of found) await updateIn(target, id, status, nowSeconds);
      return found.length > 0;
    },

    async updateIncidentStatus(incidentId, status, nowSeconds) {
      const ids: string[] = [];
      let after: estypes.SortResults | undefined;
      for (;;) {
        const page = await client.search<ProcessedLog>({
          index,
          size: INCIDENT_PAGE,
          seq_no_primary_term: true,
          query: { term: { incident_id: incidentId } },
          sort: [{ id: { order: "asc" } }],
          ...(after === undefined ? {} : { search_after: after }),
        });
        const hits = page.hits.hits.filter((hit) => hit._source !== undefined);
        if (hits.length === 0) return [...new Set(ids)];
        // Whole documents, guarded by sequence numbers (see updateIn); one the worker rewrote meanwhile is done again alone.
        const operations = hits.flatMap((hit) => [
          { index: { _index: hit._index, _id: hit._id, if_seq_no: hit._seq_no, if_primary_term: hit._primary_term } },
          withStatus(hit._source as ProcessedLog, status, nowSeconds),
        ]);
        const response = await client.bulk({ operations, refresh: "wait_for" });
        const conflicts = response.items.flatMap((item, i) =>
          item.index?.status === 409 ? [hits[i] as estypes.SearchHit<ProcessedLog>] : [],
        );
        for (const hit of conflicts) await updateIn(hit._index, hit._id as string, status, nowSeconds);
        const failed = response.items.find((item) => item.index?.error !== undefined && item.index.status !== 409);
        if (failed !== undefined)
          throw new Error(`Elasticsearch refused a status change: ${failed.index?.error?.reason ?? "?"}`);
        ids.push(...hits.map((hit) => (hit._source as ProcessedLog).id));
        after = hits.at(-1)?.sort;
      }
    },

    applyRetention: indices.applyRetention,

    async ping() {
      await explained(options, () =>
        client.cluster.health({ timeout: "2s" }, { requestTimeout: 3_000, maxRetries: 0 }),
      );
    },

    async close() {
      await client.close();
    },
  };
}
