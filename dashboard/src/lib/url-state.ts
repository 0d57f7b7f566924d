/**
 * What a view shows, kept in the URL's hash so a link opens the same view, range and filters, and
 * back/forward step through them: `#/alerts?range=7d&ip=203.0.113.7` or, for fixed instants,
 * `#/overview?from=2025-12-10T00:00:00Z&to=2025-12-11T00:00:00Z`. Pure.
 */
import { DEFAULT_RANGE, isPreset, type TimeRange } from "./time-range.ts";

export interface AlertFilters {
  status: string;
  /** Detection rule, the API's `rule` (shown as "reason"). */
  rule: string;
  sourceIp: string;
  text: string;
}

export interface UrlState {
  view: string;
  range: TimeRange;
  filters: AlertFilters;
}

export const NO_FILTERS: AlertFilters = { status: "", rule: "", sourceIp: "", text: "" };
const DEFAULT_VIEW = "overview";

/** Filter ↔ query parameter; `reason` rather than `rule`, as the views call it. */
const FILTER_PARAMS = [
  ["status", "status"],
  ["rule", "reason"],
  ["sourceIp", "ip"],
  ["text", "q"],
] as const satisfies readonly (readonly [keyof AlertFilters, string])[];

const isoSeconds = (epochSeconds: number): string =>
  new Date(Math.floor(epochSeconds) * 1000).toISOString().replace(".000Z", "Z");

/** RFC 3339 with a zone, as hashOf writes it; anything else (a bare local time, a typo) is no time. */
function parseInstant(text: string | null): number | null {
  if (text === null || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(text)) return null;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? null : Math.floor(ms / 1000);
}

/** The range the parameters name; the default for none or a broken one (a link cut short still opens). */
function rangeOf(params: URLSearchParams): TimeRange {
  const preset = params.get("range");
  if (preset !== null && isPreset(preset)) return { preset };
  const from = parseInstant(params.get("from"));
  const to = parseInstant(params.get("to"));
  return from !== null && to !== null && from <= to ? { from, to } : DEFAULT_RANGE;
}

export function parseHash(hash: string): UrlState {
  const [path = "", query = ""] = hash.replace(/^#\/?/, "").split("?", 2);
  const params = new URLSearchParams(query);
  const filters = { ...NO_FILTERS };
  for (const [field, param] of FILTER_PARAMS) filters[field] = params.get(param)?.trim() ?? "";
  return { view: path === "" ? DEFAULT_VIEW : path, range: rangeOf(params), filters };
}

/** The hash of a state, range first; empty filters are left out. */
export function hashOf(state: UrlState): string {
  const params = new URLSearchParams();
  if ("preset" in state.range) params.set("range", state.range.preset);
  else {
    params.set("from", isoSeconds(state.range.from));
    params.set("to", isoSeconds(state.range.to));
  }
  for (const [field, param] of FILTER_PARAMS) {
    const value = state.filters[field].trim();
    if (value !== "") params.set(param, value);
  }
  // Colons need no escaping in a fragment; kept readable, a shared link shows its times.
  return `#/${state.view}?${params.toString().replaceAll("%3A", ":")}`;
}
