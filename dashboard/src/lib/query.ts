/** Filters → the query of GET /alerts; pure. Empty filters are left out. */
import type { AlertFilters, AlertQuery } from "./types.ts";

const epochSeconds = (local: string): number => Math.floor(Date.parse(`${local}:00Z`) / 1000);

export function alertQuery(filters: AlertFilters, size: number, cursor?: string): AlertQuery {
  const sourceIp = filters.sourceIp.trim();
  const text = filters.text.trim();
  return {
    is_anomaly: filters.anomalies ? "true" : "false",
    size,
    ...(filters.status !== "" ? { status: filters.status } : {}),
    ...(filters.rule !== "" ? { rule: filters.rule } : {}),
    ...(sourceIp !== "" ? { source_ip: sourceIp } : {}),
    ...(text !== "" ? { q: text } : {}),
    ...(filters.from !== "" ? { from: epochSeconds(filters.from) } : {}),
    ...(filters.to !== "" ? { to: epochSeconds(filters.to) } : {}),
    ...(cursor !== undefined ? { cursor } : {}),
  };
}
