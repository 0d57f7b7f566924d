/** The API's shapes as the dashboard uses them (checked against /openapi.json by the e2e suite). */
export const STATUSES = ["new", "acknowledged", "resolved", "false_positive"] as const;
export type AlertStatus = (typeof STATUSES)[number];
export const RULES = ["brute_force", "traffic_spike", "keyword", "whitelist"] as const;
export type Rule = (typeof RULES)[number];

export interface ProcessedLog {
  id: string;
  message: string;
  timestamp: number;
  status: AlertStatus;
  is_anomaly: boolean;
  reason: string | null;
  source_ip: string | null;
  /** The client's host name when the log names it only by name. */
  source_host?: string | null;
  /** The address was only found somewhere in the text of an unknown format. */
  source_ip_inferred?: boolean;
  rule?: Rule | null;
  source?: string | null;
}

export interface Stats {
  total: number;
  anomalies: number;
  by_rule: Record<string, number>;
  by_status: Record<string, number>;
  top_source_ips: { ip: string; count: number }[];
  timeline: { t: number; count: number }[];
}

export interface PipelineHealth {
  ready: boolean;
  components: Record<string, string>;
  consumer_lag: number | null;
  whitelist_size: number;
}

export interface AlertFilters {
  anomalies: boolean;
  status: AlertStatus | "";
  rule: Rule | "";
  sourceIp: string;
  text: string;
  /** datetime-local values ("2026-11-24T10:00"), read as UTC. */
  from: string;
  to: string;
}

/** One whitelist entry and who manages it: "api", or "IpWhitelist <namespace>/<name>" (Git). */
export interface WhitelistEntry {
  ip: string;
  owner: string;
}
