/**
 * Where processed logs live: Elasticsearch in production (elasticsearch-store.ts), an in-memory
 * index for the embedded default (memory-store.ts); one contract suite proves both.
 */
import {
  CLOSED_STATUSES,
  type AlertStatus,
  type ClientEnrichment,
  type DetectionRule,
  type DocumentClient,
  type ProcessedLog,
} from "../messages.ts";
import type { RetentionOutcome, RetentionPolicy } from "./retention.ts";

export const DEFAULT_INDEX = "processed_logs";

export interface LogQuery {
  is_anomaly?: boolean;
  status?: AlertStatus[];
  rule?: DetectionRule[];
  source_ip?: string;
  /** Event time range, epoch seconds, inclusive. */
  from?: number;
  to?: number;
  /** Case-insensitive match on the message text. */
  text?: string;
  /** The alerts of one incident. */
  incident_id?: string;
  size: number;
  /** Opaque cursor from a previous page's next_cursor. */
  cursor?: string;
}

export interface LogPage {
  /** Newest first (event time, then id). */
  items: ProcessedLog[];
  next_cursor: string | null;
  total: number;
}

export interface StatsQuery {
  /** Event time range, epoch seconds, inclusive. */
  from?: number;
  to?: number;
  /** Width of a timeline bucket. */
  bucketSeconds: number;
  /** How many top source IPs to return. */
  topIps: number;
}

/** Overview figures; by_rule, top_source_ips and timeline count anomalies only. */
export interface LogStats {
  total: number;
  anomalies: number;
  by_rule: Record<string, number>;
  by_status: Record<string, number>;
  /** With where the address is (country, AS or private network) as its latest enriched alert says, when one does. */
  top_source_ips: { ip: string; count: number; client?: ClientEnrichment }[];
  /**
   * Bucket start (epoch seconds) and anomaly count, oldest first. Over a closed range (from and
   * to) every bucket is there, empty ones with 0; with an open end, empty buckets are omitted.
   */
  timeline: { t: number; count: number }[];
}

/** The country, AS and network of a document's client, without its address and port; undefined when it has none. */
export function enrichmentOf(client: DocumentClient | undefined): ClientEnrichment | undefined {
  const { geo, as, network } = client ?? {};
  if (geo === undefined && as === undefined && network === undefined) return undefined;
  return {
    ...(geo === undefined ? {} : { geo }),
    ...(as === undefined ? {} : { as }),
    ...(network === undefined ? {} : { network }),
  };
}

export interface LogStore {
  /** Creates what documents are written to (index template, current indices) and migrates an older layout. */
  ensureReady(): Promise<void>;
  /** Writes documents by id (a rewrite of the same id replaces it); rejects if any failed. */
  bulkIndex(docs: ProcessedLog[]): Promise<void>;
  search(query: LogQuery): Promise<LogPage>;
  get(id: string): Promise<ProcessedLog | null>;
  stats(query: StatsQuery): Promise<LogStats>;
  /** Returns false when no document has this id; the document stays where it is stored. */
  updateStatus(id: string, status: AlertStatus, nowSeconds: number): Promise<boolean>;
  /** Sets the status of every alert of an incident; answers their ids. */
  updateIncidentStatus(incidentId: string, status: AlertStatus, nowSeconds: number): Promise<string[]>;
  /** Deletes what `policy` no longer keeps (retention.ts); never what is still being written. */
  applyRetention(policy: RetentionPolicy, nowSeconds: number): Promise<RetentionOutcome>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** A document after a status change; closing it records how long it stayed open. */
export function withStatus(doc: ProcessedLog, status: AlertStatus, nowSeconds: number): ProcessedLog {
  const closed = CLOSED_STATUSES.includes(status);
  return {
    ...doc,
    status,
    status_updated_at: nowSeconds,
    resolution_seconds: closed ? Math.max(0, nowSeconds - doc.timestamp) : null,
  };
}

/** Search-after cursor: the sort values of the last item of a page. */
export interface PageCursor {
  timestamp: number;
  id: string;
}

export function encodeCursor(cursor: PageCursor): string {
  return Buffer.from(JSON.stringify([cursor.timestamp, cursor.id])).toString("base64url");
}

/** Largest sort value a cursor may carry: the last Date in epoch milliseconds (a store sorts by either unit). */
const MAX_CURSOR_TIME = 8.64e15;

/** The cursor, or null for any text this API did not issue: another shape, or a time no store holds (`1e999`, `-1`). */
export function decodeCursor(text: string): PageCursor | null {
  try {
    const value: unknown = JSON.parse(Buffer.from(text, "base64url").toString("utf8"));
    if (Array.isArray(value) && value.length === 2 && typeof value[0] === "number" && typeof value[1] === "string") {
      if (!(value[0] >= 0 && value[0] <= MAX_CURSOR_TIME)) return null;
      return { timestamp: value[0], id: value[1] };
    }
  } catch {
    // fall through: a cursor the client mangled is reported as invalid by the caller
  }
  return null;
}
