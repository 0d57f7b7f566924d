/**
 * PostgreSQL's csvlog as a pull source. The cursor is a file name and a byte offset; when a file
 * is read to its end and a newer one exists (rotation), reading moves on to it.
 */
import { open, readdir } from "node:fs/promises";
import { isIP } from "node:net";
import { join } from "node:path";
import type { LogMessage } from "@soc/shared";
import type { PullSource } from "@soc/collector-framework";
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

/** "203.0.113.7:51234" → "203.0.113.7"; "[local]" (a Unix socket) → null. */
export function clientAddress(connectionFrom: string): string | null {
  const host = connectionFrom.includes(":") ? connectionFrom.slice(0, connectionFrom.lastIndexOf(":")) : connectionFrom;
  return isIP(host) === 0 ? null : host;
}

export function toLogMessage(record: string[]): LogMessage {
  const ip = clientAddress(record[CONNECTION_FROM] ?? "");
  const timestamp = csvlogTime(record[LOG_TIME] ?? "");
  // The failure line itself has no address; it goes into the text and into source_ip.
  const client = ip === null ? "" : ` (client ${ip})`;
  return {
    message: `postgresql[${record[PROCESS_ID] ?? "?"}] ${record[SEVERITY] ?? "LOG"}: ${record[MESSAGE] ?? ""}${client}`.slice(0, 65_536),
    source: "postgresql",
    ...(timestamp === undefined ? {} : { timestamp }),
    ...(ip === null ? {} : { source_ip: ip }),
  };
}

export function csvlogSource(logDirectory: string, maxRecordsPerPoll = 5_000): PullSource & { cursorAtEnd(): Promise<string> } {
  const csvFiles = async (): Promise<string[]> => (await readdir(logDirectory)).filter((name) => name.endsWith(".csv")).sort();

  const readFrom = async (file: string, offset: number): Promise<{ records: string[][]; nextOffset: number; size: number }> => {
    const handle = await open(join(logDirectory, file), "r");
    try {
      const { size } = await handle.stat();
      if (size <= offset) return { records: [], nextOffset: offset, size };
      const buffer = Buffer.alloc(size - offset);
      await handle.read(buffer, 0, buffer.length, offset);
      const text = buffer.toString("utf8");
      const { records, consumedChars } = completeCsvRecords(text);
      return { records, nextOffset: offset + Buffer.byteLength(text.slice(0, consumedChars)), size };
    } finally {
      await handle.close();
    }
  };

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
        const { records, nextOffset, size } = await readFrom(cursor.file, cursor.offset);
        logs.push(...records.map(toLogMessage));
        cursor = { file: cursor.file, offset: nextOffset };
        const newer = files.find((name) => name > cursor.file);
        if (nextOffset < size || newer === undefined) break;
        cursor = { file: newer, offset: 0 };
      }
      return { logs, cursor: JSON.stringify(cursor) };
    },
  };
}
