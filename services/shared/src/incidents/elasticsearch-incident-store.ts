/**
 * Incidents on Elasticsearch: one index beside the processed logs (`<alias>-incidents`, outside the
 * alias's time-based indices), written with the incident's revision as an external version, so a
 * write older than the stored one is refused by Elasticsearch itself and skipped.
 */
import type { estypes } from "@elastic/elasticsearch";
import { createElasticsearchClient, explained } from "../store/elasticsearch-connection.ts";
import type { ElasticsearchStoreOptions } from "../store/elasticsearch-store.ts";
import { indexSettingsOf, pageOf } from "../store/elasticsearch-store.ts";
import { DEFAULT_INDEX, decodeCursor } from "../store/log-store.ts";
import type { Incident } from "./incident.ts";
import type { IncidentQuery, IncidentStore } from "./incident-store.ts";

export const incidentIndexOf = (alias: string): string => `${alias}-incidents`;

export const INCIDENTS_MAPPING: estypes.MappingTypeMapping = {
  dynamic: "strict",
  properties: {
    id: { type: "keyword" },
    rule: { type: "keyword" },
    subject: { type: "keyword", ignore_above: 1024 },
    status: { type: "keyword" },
    severity: { type: "keyword" },
    first_seen: { type: "date", format: "epoch_second" },
    last_seen: { type: "date", format: "epoch_second" },
    alerts: { type: "long" },
    events: { type: "long" },
    reason: { type: "text", fields: { keyword: { type: "keyword", ignore_above: 512 } } },
    source: { type: "keyword" },
    source_ip: { type: "ip", ignore_malformed: true },
    first_alert_id: { type: "keyword" },
    last_alert_id: { type: "keyword" },
    status_updated_at: { type: "date", format: "epoch_second" },
    revision: { type: "long" },
  },
};

function filtersOf(query: IncidentQuery): estypes.QueryDslQueryContainer[] {
  const filter: estypes.QueryDslQueryContainer[] = [];
  if (query.status !== undefined) filter.push({ terms: { status: query.status } });
  if (query.rule !== undefined) filter.push({ terms: { rule: query.rule } });
  if (query.subject !== undefined) filter.push({ term: { subject: query.subject } });
  if (query.from !== undefined) filter.push({ range: { last_seen: { gte: query.from, format: "epoch_second" } } });
  if (query.to !== undefined) filter.push({ range: { first_seen: { lte: query.to, format: "epoch_second" } } });
  return filter;
}

export function createElasticsearchIncidentStore(
  options: ElasticsearchStoreOptions,
): IncidentStore & { index: string; drop(): Promise<void> } {
  const index = incidentIndexOf(options.index ?? DEFAULT_INDEX);
  const client = createElasticsearchClient(options);
  const refreshOf = (visibleNow: boolean): "wait_for" | false =>
    visibleNow || options.refreshOnWrite === true ? "wait_for" : false;

  return {
    index,
    async ensureReady() {
      await explained(options, async () => {
        if (await client.indices.exists({ index }))
          await client.indices.putMapping({ index, properties: INCIDENTS_MAPPING.properties });
        else
          await client.indices
            .create({ index, settings: indexSettingsOf(options), mappings: INCIDENTS_MAPPING })
            .catch((error: unknown) => {
              // Another replica created it first.
              if (!String(error).includes("resource_already_exists_exception")) throw error;
            });
      });
    },
    async put(incidents, putOptions = {}) {
      if (incidents.length === 0) return;
      // external_gte: rewriting the same revision (a redelivered batch) is accepted, an older one refused.
      const operations = incidents.flatMap((incident) => [
        {
          index: { _index: index, _id: incident.id, version: incident.revision, version_type: "external_gte" as const },
        },
        incident,
      ]);
      const response = await client.bulk({ operations, refresh: refreshOf(putOptions.visibleNow === true) });
      if (!response.errors) return;
      const failed = response.items
        .map((item) => item.index)
        .filter((item) => item?.error !== undefined && item.status !== 409);
      if (failed.length === 0) return;
      const first = failed[0]?.error;
      throw new Error(
        `Elasticsearch rejected ${failed.length} of ${incidents.length} incidents: ${first?.type ?? "?"}: ${first?.reason ?? ""}`,
      );
    },
    async search(query) {
      const cursor = query.cursor === undefined ? null : decodeCursor(query.cursor);
      const response = await client.search<Incident>({
        index,
        size: query.size,
        track_total_hits: true,
        query: { bool: { filter: filtersOf(query) } },
        sort: [{ last_seen: { order: "desc" } }, { id: { order: "desc" } }],
        ...(cursor === null ? {} : { search_after: [cursor.timestamp, cursor.id] }),
      });
      return pageOf(response, query.size);
    },
    async get(id) {
      const response = await client.get<Incident>({ index, id }, { ignore: [404] });
      return response.found ? (response._source ?? null) : null;
    },
    async ping() {
      await explained(options, () =>
        client.cluster.health({ timeout: "2s" }, { requestTimeout: 3_000, maxRetries: 0 }),
      );
    },
    async drop() {
      await client.indices.delete({ index, ignore_unavailable: true });
    },
    async close() {
      await client.close();
    },
  };
}
