/** What a view shows → the query of GET /alerts; pure. Empty filters are left out. */
import type { AlertQuery } from "./types.ts";
import type { AlertFilters } from "./url-state.ts";

export interface AlertRequest {
  anomalies: boolean;
  filters: AlertFilters;
  /** Event times, epoch seconds, inclusive. */
  range: { from: number; to: number };
}

export function alertQuery({ anomalies, filters, range }: AlertRequest, size: number, cursor?: string): AlertQuery {
  const sourceIp = filters.sourceIp.trim();
  const text = filters.text.trim();
  return {
    is_anomaly: anomalies ? "true" : "false",
    size,
    ...(filters.status !== "" ? { status: filters.status } : {}),
    ...(filters.rule !== "" ? { rule: filters.rule } : {}),
    ...(sourceIp !== "" ? { source_ip: sourceIp } : {}),
    ...(text !== "" ? { q: text } : {}),
    from: range.from,
    to: range.to,
    ...(cursor !== undefined ? { cursor } : {}),
  };
}
