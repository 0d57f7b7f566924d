/** Monthly figures from Elasticsearch aggregations only: one size-0 search, no document is read. */
import type { Client } from "@elastic/elasticsearch";
import { CLOSED_STATUSES } from "@soc/shared";
import { TOP_ORIGINS } from "./origins.ts";
import { daysOf, type MonthlySummary, type ReportSource } from "./summary.ts";

type Bucket = { key: string | number; key_as_string?: string; doc_count: number };
type Buckets = { buckets: Bucket[] };
/** A terms bucket with the most frequent name recorded for its key (a terms aggregation of size 1). */
type NamedBuckets = { buckets: (Bucket & { name: Buckets })[] };
interface ReportAggregations {
  incidents: {
    doc_count: number;
    by_rule: Buckets;
    by_status: Buckets;
    top_ips: Buckets;
    top_countries: NamedBuckets;
    top_networks: NamedBuckets;
    daily: Buckets;
    resolved: {
      doc_count: number;
      average: { value: number | null };
      median: { values: Record<string, number | null> };
    };
  };
}

export function createElasticsearchReportSource(client: Client, index: string): ReportSource {
  return {
    async monthlySummary(month) {
      const response = await client.search({
        index,
        size: 0,
        track_total_hits: true,
        query: { range: { timestamp: { gte: month.start, lt: month.end, format: "epoch_second" } } },
        aggs: {
          incidents: {
            filter: { term: { is_anomaly: true } },
            aggs: {
              by_rule: { terms: { field: "rule", size: 20 } },
              by_status: { terms: { field: "status", size: 10 } },
              top_ips: { terms: { field: "source_ip", size: 10 } },
              top_countries: {
                terms: { field: "client.geo.country_iso_code", size: TOP_ORIGINS },
                aggs: { name: { terms: { field: "client.geo.country_name", size: 1 } } },
              },
              top_networks: {
                terms: { field: "client.as.number", size: TOP_ORIGINS },
                aggs: { name: { terms: { field: "client.as.organization.name", size: 1 } } },
              },
              daily: {
                date_histogram: {
                  field: "timestamp",
                  calendar_interval: "day",
                  format: "yyyy-MM-dd",
                  min_doc_count: 0,
                  extended_bounds: { min: daysOf(month)[0] ?? "", max: daysOf(month).at(-1) ?? "" },
                },
              },
              resolved: {
                filter: {
                  bool: {
                    filter: [{ terms: { status: [...CLOSED_STATUSES] } }, { exists: { field: "resolution_seconds" } }],
                  },
                },
                aggs: {
                  average: { avg: { field: "resolution_seconds" } },
                  median: { percentiles: { field: "resolution_seconds", percents: [50] } },
                },
              },
            },
          },
        },
      });
      const aggs = (response.aggregations as unknown as ReportAggregations).incidents;
      const counts = (buckets: Bucket[]): Record<string, number> =>
        Object.fromEntries(buckets.map((b) => [String(b.key), b.doc_count]));
      const nameOf = (bucket: { name: Buckets }): string | null => {
        const [top] = bucket.name.buckets;
        return top === undefined ? null : String(top.key);
      };
      const perDay = new Map(aggs.daily.buckets.map((b) => [b.key_as_string ?? "", b.doc_count]));
      const total = typeof response.hits.total === "number" ? response.hits.total : (response.hits.total?.value ?? 0);
      return {
        month: month.label,
        logsProcessed: total,
        incidents: aggs.doc_count,
        byRule: counts(aggs.by_rule.buckets),
        topIps: aggs.top_ips.buckets.map((b) => ({ ip: String(b.key), count: b.doc_count })),
        topCountries: aggs.top_countries.buckets.map((b) => ({
          code: String(b.key),
          name: nameOf(b),
          count: b.doc_count,
        })),
        topNetworks: aggs.top_networks.buckets.map((b) => ({
          asNumber: Number(b.key),
          organization: nameOf(b),
          count: b.doc_count,
        })),
        daily: daysOf(month).map((day) => ({ day, count: perDay.get(day) ?? 0 })),
        byStatus: counts(aggs.by_status.buckets),
        timeToResolve: {
          count: aggs.resolved.doc_count,
          averageSeconds: aggs.resolved.average.value,
          medianSeconds: aggs.resolved.median.values["50.0"] ?? null,
        },
      } satisfies MonthlySummary;
    },
  };
}
