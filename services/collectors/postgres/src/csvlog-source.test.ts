import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterEach, describe, expect, it, vi } from "vitest";
import { logMessageSchema, type LogMessage } from "@soc/shared";
import { completeCsvRecords } from "./csv.ts";
import { csvlogSource, toLogMessage } from "./csvlog-source.ts";

const failure = (pid: number, user = "soc", from = "203.0.113.7:51234") =>
  `2026-11-24 15:36:10.686 UTC,"${user}","soc",${pid},"${from}",6743a1b2.1,1,"authentication",2026-11-24 15:36:10 UTC,3/1,0,FATAL,28P01,"password authentication failed for user ""${user}""","Connection matched pg_hba.conf line 3: ""host all all 127.0.0.1/32 scram-sha-256""",,,,,,,,"","client backend",,0\n`;

/** A csvlog record whose message (column 13) is `message`, quoted as PostgreSQL does. */
const record = (pid: number, message: string) =>
  `2026-11-24 15:36:10.686 UTC,"soc","soc",${pid},"203.0.113.7:51234",6743a1b2.1,1,"idle",2026-11-24 15:36:10 UTC,3/1,0,LOG,00000,"${message.replaceAll('"', '""')}",,,,,,,,,"","client backend",,0\n`;
const expected = (pid: number, message: string): LogMessage => ({
  message: `postgresql[${pid}] LOG: ${message} (client 203.0.113.7)`,
  source: "postgresql",
  timestamp: Date.parse("2026-11-24T15:36:10.686Z") / 1000,
  source_ip: "203.0.113.7",
});

const dirs: string[] = [];
const logDir = (...files: [string, string | Buffer][]): string => {
  const dir = mkdtempSync(join(tmpdir(), "pglog-"));
  dirs.push(dir);
  for (const [name, content] of files) writeFileSync(join(dir, name), content);
  return dir;
};

/** Polls until a poll returns nothing, as the collector does round after round. */
async function drainAll(source: ReturnType<typeof csvlogSource>, maxPerPoll: number): Promise<LogMessage[]> {
  const all: LogMessage[] = [];
  let cursor: string | null = null;
  for (;;) {
    const { logs, cursor: next } = await source.poll(cursor);
    expect(logs.length).toBeLessThanOrEqual(maxPerPoll);
    if (logs.length === 0) return all;
    all.push(...logs);
    cursor = next;
  }
}

afterEach(() => {
  vi.restoreAllMocks();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe("completeCsvRecords", () => {
  it("reads quoted commas, doubled quotes and newlines inside fields, and leaves a partial record", () => {
    const { records, consumedBytes, unfinished, inQuotes } = completeCsvRecords(
      Buffer.from('a,"b,c","say ""hi""\nthere"\nd,"unfinished'),
    );
    expect(records).toEqual([["a", "b,c", 'say "hi"\nthere']]);
    expect(consumedBytes).toBe(Buffer.byteLength('a,"b,c","say ""hi""\nthere"\n'));
    expect([unfinished, inQuotes]).toEqual([["d", "unfinished"], true]);
  });
});

describe("PostgreSQL csvlog source", () => {
  it("turns a failed password login into a log with the client address", () => {
    const [parsed] = completeCsvRecords(Buffer.from(failure(4242))).records;
    expect(toLogMessage(parsed ?? [])).toEqual({
      message: 'postgresql[4242] FATAL: password authentication failed for user "soc" (client 203.0.113.7)',
      source: "postgresql",
      timestamp: Date.parse("2026-11-24T15:36:10.686Z") / 1000,
      source_ip: "203.0.113.7",
    });
  });

  it("resumes from its cursor without repeats, waits for half-written records and follows rotation", async () => {
    const dir = logDir(["postgresql-2026-11-24_000000.csv", failure(1) + failure(2)]);
    const source = csvlogSource(dir);
    const first = await source.poll(null);
    expect(first.logs.map((log) => log.message.slice(0, 15))).toEqual(["postgresql[1] F", "postgresql[2] F"]);

    const half = failure(3);
    appendFileSync(join(dir, "postgresql-2026-11-24_000000.csv"), half.slice(0, 40));
    expect((await source.poll(first.cursor)).logs).toEqual([]);
    appendFileSync(join(dir, "postgresql-2026-11-24_000000.csv"), half.slice(40));
    writeFileSync(join(dir, "postgresql-2026-11-24_010000.csv"), failure(4));
    const second = await source.poll(first.cursor);
    expect(second.logs.map((log) => log.message.slice(0, 15))).toEqual(["postgresql[3] F", "postgresql[4] F"]);
    expect((await source.poll(second.cursor)).logs).toEqual([]);
  });

  it("reads a big backlog a chunk at a time: no buffer beyond the chunk, no poll beyond its record limit, every record exact", async () => {
    // ~6 MiB: quoted newlines, doubled quotes and multi-byte text, so records straddle chunk boundaries.
    const messages = Array.from(
      { length: 15_000 },
      (_, i) => `statement ${i} "q"\nline two ${"é€😀".repeat(i % 97)} ${"x".repeat(i % 300)}`,
    );
    const dir = logDir(["postgresql-2026-11-24_000000.csv", messages.map((message, i) => record(i, message)).join("")]);
    const allocations = [
      vi.spyOn(Buffer, "alloc"),
      vi.spyOn(Buffer, "allocUnsafe"),
      vi.spyOn(Buffer, "allocUnsafeSlow"),
    ];
    const logs = await drainAll(csvlogSource(dir), 5_000);
    const largest = Math.max(...allocations.flatMap((spy) => spy.mock.calls.map(([size]) => size)));
    // Allocations were seen, and the largest is the 1 MiB chunk (the file is over 10 MiB).
    expect(largest).toBe(1024 * 1024);
    expect(logs).toEqual(messages.map((message, i) => expected(i, message)));
  });

  it("parses exactly whatever the chunk size, wherever records cross chunk boundaries (property)", async () => {
    const text = fc.string({
      unit: fc.oneof(
        fc.constantFrom('"', ",", "\n", "\r\n", "é", "😀"),
        fc.string({ unit: "grapheme", minLength: 1, maxLength: 1 }),
      ),
      maxLength: 120,
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(text, { minLength: 1, maxLength: 30 }),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 0, max: 400 }),
        async (texts, perPoll, extra) => {
          const lines = texts.map((message, i) => record(i, message));
          // Chunks from the longest record up, so none is cut; records then straddle chunk ends at random places.
          const chunkBytes = Math.max(...lines.map((line) => Buffer.byteLength(line))) + extra;
          const logs = await drainAll(
            csvlogSource(logDir(["a.csv", lines.join("")]), { chunkBytes, maxRecordsPerPoll: perPoll }),
            perPoll,
          );
          expect(logs).toEqual(texts.map((message, i) => expected(i, message)));
        },
      ),
      { numRuns: 150 },
    );
  });

  it("cuts a record longer than the chunk to its start, once its end is written, and reads the next one exactly", async () => {
    const dir = logDir(["a.csv", record(1, "before") + record(2, `huge ${"z".repeat(5_000)}`).slice(0, 3_000)]);
    const source = csvlogSource(dir, { chunkBytes: 1_024 });
    const first = await source.poll(null);
    expect(first.logs).toEqual([expected(1, "before")]);
    // Its end is not written yet: it is neither emitted nor skipped.
    expect((await source.poll(first.cursor)).logs).toEqual([]);
    appendFileSync(join(dir, "a.csv"), record(2, `huge ${"z".repeat(5_000)}`).slice(3_000) + record(3, "after"));
    const second = await source.poll(first.cursor);
    expect(second.logs.map((log) => log.message.slice(0, 30))).toEqual([
      "postgresql[2] LOG: huge zzzzzz",
      "postgresql[3] LOG: after (clie",
    ]);
    expect(second.logs[0]?.message.length).toBeLessThan(1_024);
    expect(second.logs[0]?.source_ip).toBe("203.0.113.7");
  });

  it("keeps its byte offset exact over invalid UTF-8, so the next record is not read from the middle", async () => {
    const [head = "", tail = ""] = record(1, "bad byte: ").split("bad byte: ");
    const dir = logDir([
      "a.csv",
      Buffer.concat([Buffer.from(`${head}bad byte: `), Buffer.from([0xff, 0xfe]), Buffer.from(tail)]),
    ]);
    const source = csvlogSource(dir);
    const first = await source.poll(null);
    expect(first.logs).toEqual([expected(1, "bad byte: \uFFFD\uFFFD")]);
    appendFileSync(join(dir, "a.csv"), record(2, "next"));
    expect((await source.poll(first.cursor)).logs).toEqual([expected(2, "next")]);
  });

  it("takes source_ip from connection_from: an IPv6 keeps its groups, a zone the log schema refuses is dropped with the log kept", async () => {
    const dir = logDir([
      "a.csv",
      failure(1, "soc", "2001:db8::7:51234") + failure(2, "soc", "fe80::1%eth0:5432") + failure(3, "soc", "[local]"),
    ]);
    const { logs } = await csvlogSource(dir).poll(null);
    expect(logs.map((log) => log.source_ip)).toEqual(["2001:db8::7", undefined, undefined]);
    expect(logs.every((log) => logMessageSchema.safeParse(log).success)).toBe(true);
  });
});
