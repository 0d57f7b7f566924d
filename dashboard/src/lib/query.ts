/** Filters → the query string of GET /alerts; pure. Empty filters are left out. */
import type { AlertFilters } from "./types.ts";

const epochSeconds = (local: string): string => String(Math.floor(Date.parse(`${local}:00Z`) / 1000));

export function alertQuery(filters: AlertFilters, size: number, cursor?: string): string {
  const params = new URLSearchParams({ is_anomaly: String(filters.anomalies), size: String(size) });
  if (filters.status !== "") params.set("status", filters.status);
  if (filters.rule !== "") params.set("rule", filters.rule);
  if (filters.sourceIp.trim() !== "") params.set("source_ip", filters.sourceIp.trim());
  if (filters.text.trim() !== "") params.set("q", filters.text.trim());
  if (filters.from !== "") params.set("from", epochSeconds(filters.from));
  if (filters.to !== "") params.set("to", epochSeconds(filters.to));
  if (cursor !== undefined) params.set("cursor", cursor);
  return params.toString();
}
