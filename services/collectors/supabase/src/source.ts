/**
 * Supabase's Management API logs endpoint (`/v1/projects/{ref}/analytics/endpoints/logs.all`),
 * pulled in time windows: the cursor is the end of the last window read, per source table. Each
 * query selects the client address the way Supabase's log explorer does.
 */
import { timingSafeEqual } from "node:crypto";
import { isIP } from "node:net";
import { z } from "zod";
import type { DrainSource, PullSource } from "@soc/collector-framework";
import { parseJsonLines } from "@soc/collector-framework";
import type { LogMessage, Secret } from "@soc/shared";

export const SUPABASE_TABLES = {
  auth_logs: "select id, timestamp, event_message, null as ip from auth_logs",
  edge_logs:
    "select id, timestamp, event_message, h.x_real_ip as ip from edge_logs cross join unnest(metadata) as m cross join unnest(m.request) as r cross join unnest(r.headers) as h",
  postgres_logs:
    "select id, timestamp, event_message, p.connection_from as ip from postgres_logs cross join unnest(metadata) as m cross join unnest(m.parsed) as p",
} as const;
export type SupabaseTable = keyof typeof SUPABASE_TABLES;

const rowSchema = z.object({ id: z.string(), timestamp: z.number(), event_message: z.string(), ip: z.string().nullable().optional() });
const responseSchema = z.object({ result: z.array(rowSchema).nullable().optional(), error: z.unknown().optional() });

/** Auth events carry the address inside their JSON message. */
function addressOf(row: z.infer<typeof rowSchema>): string | undefined {
  let candidate = row.ip ?? undefined;
  if (candidate === undefined) {
    try {
      candidate = (JSON.parse(row.event_message) as { remote_addr?: string }).remote_addr;
    } catch {
      candidate = undefined;
    }
  }
  const host = candidate?.replace(/:\d+$/, "");
  return host !== undefined && isIP(host) !== 0 ? host : undefined;
}

export function toLogMessage(table: SupabaseTable, row: z.infer<typeof rowSchema>): LogMessage {
  const ip = addressOf(row);
  return {
    message: `supabase ${table}: ${row.event_message}${ip === undefined ? "" : ` (client ${ip})`}`.slice(0, 65_536),
    // Supabase timestamps are microseconds since the epoch.
    timestamp: row.timestamp / 1_000_000,
    source: `supabase-${table.replace("_logs", "")}`,
    ...(ip === undefined ? {} : { source_ip: ip }),
  };
}

export interface SupabaseSourceOptions {
  baseUrl: string;
  projectRef: string;
  token: Secret;
  tables?: SupabaseTable[];
  windowSeconds?: number;
  /** Logs reach the endpoint with a delay; windows end this long before now. */
  settleSeconds?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

type Cursor = Record<string, string>;

export function supabaseSource(options: SupabaseSourceOptions): PullSource {
  const tables = options.tables ?? (Object.keys(SUPABASE_TABLES) as SupabaseTable[]);
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const windowMs = (options.windowSeconds ?? 60) * 1000;

  async function query(table: SupabaseTable, start: string, end: string): Promise<z.infer<typeof rowSchema>[]> {
    const params = new URLSearchParams({ sql: `${SUPABASE_TABLES[table]} order by timestamp asc`, iso_timestamp_start: start, iso_timestamp_end: end });
    for (let attempt = 0; ; attempt++) {
      const response = await fetch(`${options.baseUrl}/v1/projects/${options.projectRef}/analytics/endpoints/logs.all?${params}`, { headers: { authorization: `Bearer ${options.token.reveal()}` } });
      if (response.status === 429 && attempt < 5) {
        await sleep(Number(response.headers.get("retry-after") ?? 2 ** attempt) * 1000);
        continue;
      }
      if (!response.ok) throw new Error(`Supabase answered ${response.status} for ${table}`);
      const body = responseSchema.parse(await response.json());
      if (body.error !== undefined && body.error !== null) throw new Error(`Supabase query on ${table} failed`);
      return body.result ?? [];
    }
  }

  return {
    name: "supabase",
    async poll(saved) {
      const cursor: Cursor = saved === null ? {} : (JSON.parse(saved) as Cursor);
      const settled = now() - (options.settleSeconds ?? 30) * 1000;
      const logs: LogMessage[] = [];
      for (const table of tables) {
        const start = cursor[table] ?? new Date(settled - windowMs).toISOString();
        const end = new Date(Math.min(settled, Date.parse(start) + windowMs)).toISOString();
        if (end <= start) continue;
        logs.push(...(await query(table, start, end)).map((row) => toLogMessage(table, row)));
        cursor[table] = end;
      }
      return { logs, cursor: JSON.stringify(cursor) };
    },
  };
}

/** Supabase log drains (HTTP, NDJSON or a JSON array), authenticated by a shared header value. */
export function supabaseDrainSource(options: { headerName: string; secret: Secret }): DrainSource {
  const expected = Buffer.from(options.secret.reveal());
  return {
    authenticate(request) {
      const given = request.headers[options.headerName.toLowerCase()];
      if (typeof given !== "string") return { status: 401, detail: `missing ${options.headerName}` };
      const value = Buffer.from(given);
      return value.length === expected.length && timingSafeEqual(value, expected) ? null : { status: 403, detail: `${options.headerName} is wrong` };
    },
    parse: (raw) =>
      z
        .array(z.object({ id: z.string(), timestamp: z.number(), event_message: z.string(), metadata: z.unknown().optional() }))
        .parse(parseJsonLines(raw))
        .map((row) => toLogMessage("auth_logs", { id: row.id, timestamp: row.timestamp, event_message: row.event_message })),
  };
}
