/**
 * Firebase auth and hosting logs through Cloud Logging `entries.list`, oldest first, page by page.
 * The cursor is the newest timestamp read and the entries seen at it, so none is read twice.
 * 429 RESOURCE_EXHAUSTED is retried with exponential backoff and jitter.
 */
import { z } from "zod";
import { clientIp, type PullSource } from "@soc/collector-framework";
import type { LogMessage } from "@soc/shared";

const entrySchema = z.object({
  insertId: z.string(),
  timestamp: z.string(),
  logName: z.string().optional(),
  textPayload: z.string().optional(),
  jsonPayload: z.record(z.string(), z.unknown()).optional(),
  httpRequest: z
    .object({
      requestMethod: z.string().optional(),
      requestUrl: z.string().optional(),
      status: z.number().optional(),
      remoteIp: z.string().optional(),
    })
    .optional(),
});
type Entry = z.infer<typeof entrySchema>;
const pageSchema = z.object({ entries: z.array(entrySchema).optional(), nextPageToken: z.string().optional() });

export const DEFAULT_FILTER = 'logName:"identitytoolkit.googleapis.com" OR resource.type="firebase_domain"';

/** Cloud Logging's remoteIp "can include port information" ("10.0.0.1:80"). */
function clientAddress(entry: Entry): string | undefined {
  const address =
    entry.httpRequest?.remoteIp ??
    (typeof entry.jsonPayload?.remoteIp === "string" ? entry.jsonPayload.remoteIp : undefined);
  return address === undefined ? undefined : (clientIp(address) ?? undefined);
}

/** A URL that does not parse loses its endpoint, not the log (throwing would stall every later poll). */
function requestPath(http: Entry["httpRequest"]): string | undefined {
  return http?.requestUrl === undefined ? undefined : URL.parse(http.requestUrl, "https://x")?.pathname;
}

export function toLogMessage(entry: Entry): LogMessage {
  const http = entry.httpRequest;
  const ip = clientAddress(entry);
  const path = requestPath(http);
  const request = http === undefined ? "" : `"${http.requestMethod ?? "GET"} ${path ?? "/"}" ${http.status ?? ""} `;
  const text = entry.textPayload ?? (entry.jsonPayload === undefined ? "" : JSON.stringify(entry.jsonPayload));
  return {
    message: `${ip ?? "-"} firebase ${request}${text}`.trim().slice(0, 65_536),
    timestamp: Date.parse(entry.timestamp) / 1000,
    source: "firebase",
    ...(ip === undefined ? {} : { source_ip: ip }),
    ...(path === undefined ? {} : { endpoint: path }),
  };
}

interface Cursor {
  timestamp: string;
  seen: string[];
}

export function cloudLoggingSource(options: {
  baseUrl: string;
  projectId: string;
  accessToken: () => Promise<string>;
  filter?: string;
  /** Where to start on the first run. */
  since: string;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  maxPages?: number;
}): PullSource {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const random = options.random ?? Math.random;

  async function page(cursor: Cursor, pageToken: string | undefined): Promise<z.infer<typeof pageSchema>> {
    const body = JSON.stringify({
      resourceNames: [`projects/${options.projectId}`],
      filter: `(${options.filter ?? DEFAULT_FILTER}) AND timestamp >= "${cursor.timestamp}"`,
      orderBy: "timestamp asc",
      pageSize: 1000,
      ...(pageToken === undefined ? {} : { pageToken }),
    });
    for (let attempt = 0; ; attempt++) {
      const response = await fetch(`${options.baseUrl}/v2/entries:list`, {
        method: "POST",
        headers: { authorization: `Bearer ${await options.accessToken()}`, "content-type": "application/json" },
        body,
      });
      if (response.status === 429 && attempt < 6) {
        await sleep(Math.floor(random() * 1000 * 2 ** attempt));
        continue;
      }
      if (!response.ok) throw new Error(`Cloud Logging answered ${response.status}`);
      return pageSchema.parse(await response.json());
    }
  }

  return {
    name: "firebase",
    async poll(saved) {
      const cursor: Cursor = saved === null ? { timestamp: options.since, seen: [] } : (JSON.parse(saved) as Cursor);
      const logs: LogMessage[] = [];
      let next = cursor;
      let pageToken: string | undefined;
      for (let pages = 0; pages < (options.maxPages ?? 10); pages++) {
        const result = await page(cursor, pageToken);
        for (const entry of result.entries ?? []) {
          if (entry.timestamp === cursor.timestamp && cursor.seen.includes(entry.insertId)) continue;
          logs.push(toLogMessage(entry));
          next =
            entry.timestamp === next.timestamp
              ? { timestamp: next.timestamp, seen: [...next.seen, entry.insertId] }
              : { timestamp: entry.timestamp, seen: [entry.insertId] };
        }
        pageToken = result.nextPageToken;
        if (pageToken === undefined) break;
      }
      return { logs, cursor: JSON.stringify(next) };
    },
  };
}
