/**
 * The API's shapes as the dashboard uses them, taken from the types generated from its OpenAPI
 * document (api-schema.ts): when the API changes a field, svelte-check and tsc fail here.
 */
import type { components, operations } from "./api-schema.ts";

type Schemas = components["schemas"];

export type ProcessedLog = Schemas["ProcessedLog"];
export type AlertStatus = ProcessedLog["status"];
export type Rule = NonNullable<ProcessedLog["rule"]>;
export type Stats = Schemas["Stats"];
export type PipelineHealth = Schemas["PipelineHealth"];
/** One whitelist entry and who manages it: "api", or "IpWhitelist <namespace>/<name>" (Git). */
export type WhitelistEntry = Schemas["WhitelistEntry"];
/** The query parameters of GET /alerts. */
export type AlertQuery = NonNullable<operations["listAlerts"]["parameters"]["query"]>;

export const STATUSES = ["new", "acknowledged", "resolved", "false_positive"] as const satisfies readonly AlertStatus[];
export const RULES = ["brute_force", "traffic_spike", "keyword", "whitelist"] as const satisfies readonly Rule[];
/** Where a source address is (country, AS, or a private network), as the worker's enrichment recorded it. */
export type ClientOrigin = NonNullable<Stats["top_source_ips"][number]["client"]>;
