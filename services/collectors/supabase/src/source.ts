/**
 * Supabase's Management API logs endpoint (`/v1/projects/{ref}/analytics/endpoints/logs.all`),
 * pulled in time windows: the cursor is the end of the last window read, per source table. Each
 * query selects the client address the way Supabase's log explorer does.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { z } from "zod";
import type { DrainSource, PortStyle, PullSource } from "@soc/collector-framework";
import { clientIp, parseJsonLines } from "@soc/collector-framework";
import type { LogMessage, Secret } from "@soc/shared";

export const SUPABASE_TABLES = {
  auth_logs: "select id, timestamp, event_message, null as ip from auth_logs",
  edge_logs:
    "select id, timestamp, event_message, h.x_real_ip as ip from edge_logs cross join unnest(metadata) as m cross join unnest(m.request) as r cross join unnest(r.headers) as h",
  postgres_logs:
    "select id, timestamp, event_message, p.connection_from as ip from postgres_logs cross join unnest(metadata) as m cross join unnest(m.parsed) as p",
} as const;
export type SupabaseTable = keyof typeof SUPABASE_TABLES;

/** How each table's address is written: GoTrue's remote_addr is Go's host:port, connection_from is PostgreSQL's. */
const PORT_STYLE: Record<SupabaseTable, PortStyle> = {
  auth_logs: "optional",
  edge_logs: "optional",
  postgres_logs: "appended",
};

const rowSchema = z.object({
  id: z.string(),
  timestamp: z.number(),
  event_message: z.string(),
  ip: z.string().nullable().optional(),
});
const responseSchema = z.object({ result: z.array(rowSchema).nullable().optional(), error: z.unknown().optional() });

/** Auth events carry the address in GoTrue's own JSON record, which is the whole event message. */
function addressOf(table: SupabaseTable, row: z.infer<typeof rowSchema>): string | undefined {
  let candidate = row.ip ?? undefined;
  if (candidate === undefined) {
    try {
      const remote = (JSON.parse(row.event_message) as { remote_addr?: unknown }).remote_addr;
      candidate = typeof remote === "string" ? remote : undefined;
    } catch {
      candidate = undefined;
    }
  }
  return candidate === undefined ? undefined : (clientIp(candidate, PORT_STYLE[table]) ?? undefined);
}

export function toLogMessage(table: SupabaseTable, row: z.infer<typeof rowSchema>): LogMessage {
  const ip = addressOf(table, row);
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
    const params = new URLSearchParams({
      sql: `${SUPABASE_TABLES[table]} order by timestamp asc`,
      iso_timestamp_start: start,
      iso_timestamp_end: end,
    });
    for (let attempt = 0; ; attempt++) {
      const response = await fetch(
        `${options.baseUrl}/v1/projects/${options.projectRef}/analytics/endpoints/logs.all?${params}`,
        { headers: { authorization: `Bearer ${options.token.reveal()}` } },
      );
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

const sha256 = (value: string): Buffer => createHash("sha256").update(value).digest();

/**
 * Supabase log drains (HTTP, NDJSON or a JSON array). Supabase does not sign drain requests: the
 * only credential is a static header value configured with the drain. It has nothing to do with
 * the body and no timestamp, so it is checked completely before the body is read. Whoever
 * captures it can send anything until it is rotated, so replay protection cannot be had here; the
 * framework's cache only drops bodies delivered twice.
 */
export function supabaseDrainSource(options: { headerName: string; secret: Secret }): DrainSource {
  // Digests have one length, so the comparison leaks neither the token nor its length.
  const expected = sha256(options.secret.reveal());
  return {
    checkCredentials(request) {
      const given = request.headers[options.headerName.toLowerCase()];
      if (given === undefined) return { status: 401, detail: `missing ${options.headerName}` };
      return typeof given === "string" && timingSafeEqual(sha256(given), expected)
        ? null
        : { status: 403, detail: `${options.headerName} is wrong` };
    },
    parse: (raw) =>
      z
        .array(
          z.object({
            id: z.string(),
            timestamp: z.number(),
            event_message: z.string(),
            metadata: z.unknown().optional(),
          }),
        )
        .parse(parseJsonLines(raw))
        .map((row) =>
          toLogMessage("auth_logs", { id: row.id, timestamp: row.timestamp, event_message: row.event_message }),
        ),
  };
}
