import { appendFileSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { completeCsvRecords } from "./csv.ts";
import { csvlogSource, toLogMessage } from "./csvlog-source.ts";

const failure = (pid: number, user = "soc") =>
  `2026-11-24 15:36:10.686 UTC,"${user}","soc",${pid},"203.0.113.7:51234",6743a1b2.1,1,"authentication",2026-11-24 15:36:10 UTC,3/1,0,FATAL,28P01,"password authentication failed for user ""${user}""","Connection matched pg_hba.conf line 3: ""host all all 127.0.0.1/32 scram-sha-256""",,,,,,,,"","client backend",,0\n`;

describe("completeCsvRecords", () => {
  it("reads quoted commas, doubled quotes and newlines inside fields, and leaves a partial record", () => {
    const { records, consumedChars } = completeCsvRecords('a,"b,c","say ""hi""\nthere"\nd,"unfinished');
    expect(records).toEqual([["a", "b,c", 'say "hi"\nthere']]);
    expect(consumedChars).toBe('a,"b,c","say ""hi""\nthere"\n'.length);
  });
});

describe("PostgreSQL csvlog source", () => {
  it("turns a failed password login into a log with the client address", () => {
    const [record] = completeCsvRecords(failure(4242)).records;
    expect(toLogMessage(record ?? [])).toEqual({
      message: 'postgresql[4242] FATAL: password authentication failed for user "soc" (client 203.0.113.7)',
      source: "postgresql",
      timestamp: Date.parse("2026-11-24T15:36:10.686Z") / 1000,
      source_ip: "203.0.113.7",
    });
  });

  it("resumes from its cursor without repeats, waits for half-written records and follows rotation", async () => {
    const dir = mkdtempSync(join(tmpdir(), "pglog-"));
    writeFileSync(join(dir, "postgresql-2026-11-24_000000.csv"), failure(1) + failure(2));
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
});
