/**
 * PostgreSQL's csvlog as a pull source. The cursor is a file name and a byte offset; when a file
 * is read to its end and a newer one exists (rotation), reading moves on to it. The file is read a
 * chunk at a time and never more records than a poll takes, so a backlog (first start, downtime,
 * a password spray) costs one chunk of memory, not the whole unread file.
 */
import { open, readdir, type FileHandle } from "node:fs/promises";
import { join } from "node:path";
import type { LogMessage } from "@soc/shared";
import { clientIp, type PullSource } from "@soc/collector-framework";
import { completeCsvRecords } from "./csv.ts";

// Columns of csvlog (PostgreSQL 13+), by position.
const LOG_TIME = 0;
const PROCESS_ID = 3;
const CONNECTION_FROM = 4;
const SEVERITY = 11;
const MESSAGE = 13;

interface Cursor {
  file: string;
  offset: number;
}

/** "2026-11-24 15:36:10.686 UTC" → epoch seconds. */
export function csvlogTime(text: string): number | undefined {
  const iso = text.replace(" ", "T").replace(/ (UTC|GMT)$/, "Z");
  const parsed = Date.parse(iso);
  return Number.isNaN(parsed) ? undefined : parsed / 1000;
}

export function toLogMessage(record: string[]): LogMessage {
  // "203.0.113.7:51234", "2001:db8::7:51234" (no brackets); "[local]" is a Unix socket.
  const ip = clientIp(record[CONNECTION_FROM] ?? "", "appended");
  const timestamp = csvlogTime(record[LOG_TIME] ?? "");
  // The failure line itself has no address; it goes into the text and into source_ip.
  const client = ip === null ? "" : ` (client ${ip})`;
  return {
    message:
      `postgresql[${record[PROCESS_ID] ?? "?"}] ${record[SEVERITY] ?? "LOG"}: ${record[MESSAGE] ?? ""}${client}`.slice(
        0,
        65_536,
      ),
    source: "postgresql",
    ...(timestamp === undefined ? {} : { timestamp }),
    ...(ip === null ? {} : { source_ip: ip }),
  };
}

export interface CsvlogOptions {
  maxRecordsPerPoll?: number;
  /** Bytes read at a time; a record longer than this is cut to its first chunk. */
  chunkBytes?: number;
}

/** Offset just past the record that continues at `from` (inside quotes or not), or null when the file ends first. */
async function recordEnd(
  handle: FileHandle,
  buffer: Buffer,
  from: number,
  size: number,
  inQuotes: boolean,
): Promise<number | null> {
  let quoted = inQuotes;
  for (let position = from; position < size;) {
    const { bytesRead } = await handle.read(buffer, 0, Math.min(buffer.length, size - position), position);
    if (bytesRead === 0) return null;
    const scan = completeCsvRecords(buffer.subarray(0, bytesRead), { maxRecords: 1, inQuotes: quoted });
    if (scan.records.length > 0) return position + scan.consumedBytes;
    position += bytesRead;
    quoted = scan.inQuotes;
  }
  return null;
}

/** At most `maxRecords` records of `path` from `offset`, through one buffer of at most `chunkBytes`. */
async function readRecords(
  path: string,
  offset: number,
  maxRecords: number,
  chunkBytes: number,
): Promise<{ records: string[][]; nextOffset: number; size: number }> {
  const handle = await open(path, "r");
  try {
    const { size } = await handle.stat();
    if (size <= offset) return { records: [], nextOffset: offset, size };
    const buffer = Buffer.alloc(Math.min(chunkBytes, size - offset));
    const records: string[][] = [];
    let position = offset;
    while (position < size && records.length < maxRecords) {
      const { bytesRead } = await handle.read(buffer, 0, Math.min(buffer.length, size - position), position);
      const scan = completeCsvRecords(buffer.subarray(0, bytesRead), { maxRecords: maxRecords - records.length });
      for (const record of scan.records) records.push(record);
      position += scan.consumedBytes;
      if (scan.records.length > 0) continue;
      // No record ends in what is left of the file: the last one is still being written.
      if (bytesRead < chunkBytes) break;
      // One record longer than a chunk: its start is kept and the rest skipped, once its end is written.
      const end = await recordEnd(handle, buffer, position + bytesRead, size, scan.inQuotes);
      if (end === null) break;
      records.push(scan.unfinished);
      position = end;
    }
    return { records, nextOffset: position, size };
  } finally {
    await handle.close();
  }
}

export function csvlogSource(
  logDirectory: string,
  options: CsvlogOptions = {},
): PullSource & { cursorAtEnd(): Promise<string> } {
  const maxRecordsPerPoll = options.maxRecordsPerPoll ?? 5_000;
  const chunkBytes = options.chunkBytes ?? 1024 * 1024;
  const csvFiles = async (): Promise<string[]> =>
    (await readdir(logDirectory)).filter((name) => name.endsWith(".csv")).sort();

  return {
    name: "postgresql",
    async cursorAtEnd() {
      const files = await csvFiles();
      const last = files.at(-1);
      if (last === undefined) return JSON.stringify({ file: "", offset: 0 });
      const handle = await open(join(logDirectory, last), "r");
      const { size } = await handle.stat();
      await handle.close();
      return JSON.stringify({ file: last, offset: size });
    },
    async poll(saved) {
      const files = await csvFiles();
      let cursor: Cursor = saved === null ? { file: files[0] ?? "", offset: 0 } : (JSON.parse(saved) as Cursor);
      const logs: LogMessage[] = [];
      while (cursor.file !== "" && logs.length < maxRecordsPerPoll) {
        const { records, nextOffset, size } = await readRecords(
          join(logDirectory, cursor.file),
          cursor.offset,
          maxRecordsPerPoll - logs.length,
          chunkBytes,
        );
        for (const record of records) logs.push(toLogMessage(record));
        cursor = { file: cursor.file, offset: nextOffset };
        const newer = files.find((name) => name > cursor.file);
        if (nextOffset < size || newer === undefined) break;
        cursor = { file: newer, offset: 0 };
      }
      return { logs, cursor: JSON.stringify(cursor) };
    },
  };
}
