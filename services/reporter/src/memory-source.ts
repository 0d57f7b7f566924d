/** Monthly figures for the embedded default, computed from the in-memory store's pages. */
import { CLOSED_STATUSES, type LogStore, type ProcessedLog } from "@soc/shared";
import { topCountries, topNetworks } from "./origins.ts";
import { daysOf, type MonthlySummary, type ReportSource } from "./summary.ts";

const median = (values: number[]): number | null => {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
};

export function createMemoryReportSource(store: LogStore): ReportSource {
  return {
    async monthlySummary(month) {
      const docs: ProcessedLog[] = [];
      for (let cursor: string | undefined; ;) {
        const page = await store.search({
          size: 1_000,
          from: month.start,
          to: month.end - 0.000_001,
          ...(cursor === undefined ? {} : { cursor }),
        });
        docs.push(...page.items);
        if (page.next_cursor === null) break;
        cursor = page.next_cursor;
      }
      const incidents = docs.filter((doc) => doc.is_anomaly);
      const tally = (keys: (string | null | undefined)[]): Record<string, number> => {
        const counts: Record<string, number> = {};
        for (const key of keys) if (key != null) counts[key] = (counts[key] ?? 0) + 1;
        return counts;
      };
      const perDay = tally(incidents.map((doc) => new Date(doc.timestamp * 1000).toISOString().slice(0, 10)));
      const resolveSeconds = incidents.flatMap((doc) =>
        CLOSED_STATUSES.includes(doc.status) && doc.resolution_seconds != null ? [doc.resolution_seconds] : [],
      );
      return {
        month: month.label,
        logsProcessed: docs.length,
        incidents: incidents.length,
        byRule: tally(incidents.map((doc) => doc.rule)),
        topIps: Object.entries(tally(incidents.map((doc) => doc.source_ip)))
          .map(([ip, count]) => ({ ip, count }))
          .sort((a, b) => b.count - a.count || a.ip.localeCompare(b.ip))
          .slice(0, 10),
        topCountries: topCountries(incidents),
        topNetworks: topNetworks(incidents),
        daily: daysOf(month).map((day) => ({ day, count: perDay[day] ?? 0 })),
        byStatus: tally(incidents.map((doc) => doc.status)),
        timeToResolve: {
          count: resolveSeconds.length,
          averageSeconds:
            resolveSeconds.length === 0 ? null : resolveSeconds.reduce((a, b) => a + b, 0) / resolveSeconds.length,
          medianSeconds: median(resolveSeconds),
        },
      } satisfies MonthlySummary;
    },
  };
}
