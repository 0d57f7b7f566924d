/**
 * Where incidents are kept for the API and the dashboard: Elasticsearch in a deployment
 * (elasticsearch-incident-store.ts), memory (journalled under the data directory) for the embedded
 * default. A write carries the incident's revision and never replaces a later one, so workers and
 * the API may write the same incident in any order.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { AlertStatus, DetectionRule } from "../messages.ts";
import { decodeCursor, encodeCursor } from "../store/log-store.ts";
import type { Incident } from "./incident.ts";

export interface IncidentQuery {
  status?: AlertStatus[];
  rule?: DetectionRule[];
  subject?: string;
  /** Incidents active in this event-time range (last seen from `from`, first seen until `to`), epoch seconds. */
  from?: number;
  to?: number;
  size: number;
  /** Opaque cursor from a previous page's next_cursor. */
  cursor?: string;
}

export interface IncidentPage {
  /** Most recently active first (last seen, then id). */
  items: Incident[];
  next_cursor: string | null;
  total: number;
}

export interface IncidentStore {
  ensureReady(): Promise<void>;
  /** Writes each incident unless a later revision of it is stored; `visibleNow` waits until searches see it. */
  put(incidents: Incident[], options?: { visibleNow?: boolean }): Promise<void>;
  search(query: IncidentQuery): Promise<IncidentPage>;
  get(id: string): Promise<Incident | null>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

export function matchesIncidentQuery(incident: Incident, query: IncidentQuery): boolean {
  if (query.status !== undefined && !query.status.includes(incident.status)) return false;
  if (query.rule !== undefined && !query.rule.includes(incident.rule)) return false;
  if (query.subject !== undefined && incident.subject !== query.subject) return false;
  if (query.from !== undefined && incident.last_seen < query.from) return false;
  return query.to === undefined || incident.first_seen <= query.to;
}

/** Most recently active first, then by id, as the Elasticsearch store sorts. */
const latestFirst = (a: { last_seen: number; id: string }, b: { last_seen: number; id: string }): number =>
  b.last_seen - a.last_seen || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);

export const incidentCursorOf = (incident: Incident): string =>
  encodeCursor({ timestamp: incident.last_seen, id: incident.id });

export function createMemoryIncidentStore(options: { dataDir?: string } = {}): IncidentStore {
  const incidents = new Map<string, Incident>();
  const journal = options.dataDir === undefined ? null : join(options.dataDir, "incidents.ndjson");
  const keep = (incident: Incident): boolean => {
    const stored = incidents.get(incident.id);
    if (stored !== undefined && stored.revision > incident.revision) return false;
    incidents.set(incident.id, incident);
    return true;
  };
  if (options.dataDir !== undefined && journal !== null) {
    mkdirSync(options.dataDir, { recursive: true });
    if (existsSync(journal))
      for (const line of readFileSync(journal, "utf8").split("\n"))
        if (line.trim() !== "") keep(JSON.parse(line) as Incident);
  }
  return {
    async ensureReady() {},
    async put(batch) {
      const kept = batch.filter(keep);
      if (journal !== null && kept.length > 0)
        appendFileSync(journal, kept.map((incident) => `${JSON.stringify(incident)}\n`).join(""), { mode: 0o600 });
    },
    async search(query) {
      const matching = [...incidents.values()]
        .filter((incident) => matchesIncidentQuery(incident, query))
        .sort(latestFirst);
      const cursor = query.cursor === undefined ? null : decodeCursor(query.cursor);
      const start =
        cursor === null
          ? 0
          : matching.findIndex((incident) => latestFirst(incident, { last_seen: cursor.timestamp, id: cursor.id }) > 0);
      const items = start < 0 ? [] : matching.slice(start, start + query.size);
      const last = items.at(-1);
      return {
        items,
        next_cursor: items.length === query.size && last !== undefined ? incidentCursorOf(last) : null,
        total: matching.length,
      };
    },
    async get(id) {
      return incidents.get(id) ?? null;
    },
    async ping() {},
    async close() {},
  };
}
