/**
 * Reads loghub's `<Name>_2k.log_structured.csv` files: each line's `Content` (the message after the
 * header, what the benchmark parses) and its true `EventId`.
 */
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const LOGHUB_SETS = [
  "Android",
  "Apache",
  "BGL",
  "HPC",
  "Hadoop",
  "HealthApp",
  "OpenSSH",
  "OpenStack",
  "Proxifier",
  "Spark",
  "Thunderbird",
  "Windows",
] as const;

/** testdata/loghub (the twelve samples' ground truth travels with the repository), or LOGHUB_DIR for other sets. */
export const loghubDir = (): string =>
  process.env.LOGHUB_DIR ?? fileURLToPath(new URL("../../../../testdata/loghub/", import.meta.url));

export const hasLoghubTemplates = (dir = loghubDir()): boolean =>
  LOGHUB_SETS.every((set) => existsSync(`${dir}/${set}_2k.log_structured.csv`));

export interface LabelledLines {
  contents: string[];
  events: string[];
}

/** RFC 4180 records: quoted fields may hold commas, doubled quotes and line breaks. */
export function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = "";
  let quoted = false;
  const endField = (): void => {
    record.push(field);
    field = "";
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted && c === '"' && text[i + 1] === '"') {
      field += '"';
      i++;
    } else if (c === '"') quoted = !quoted;
    else if (quoted || (c !== "," && c !== "\n" && c !== "\r")) field += c;
    else if (c === ",") endField();
    else if (c === "\n" || text[i + 1] !== "\n") {
      endField();
      records.push(record);
      record = [];
    }
  }
  if (field !== "" || record.length > 0) {
    endField();
    records.push(record);
  }
  return records;
}

export function readLabelledLines(set: string, dir = loghubDir()): LabelledLines {
  const [header = [], ...rows] = parseCsv(readFileSync(`${dir}/${set}_2k.log_structured.csv`, "utf8"));
  const content = header.indexOf("Content");
  const event = header.indexOf("EventId");
  if (content < 0 || event < 0) throw new Error(`${set}: no Content or EventId column`);
  return { contents: rows.map((row) => row[content] ?? ""), events: rows.map((row) => row[event] ?? "") };
}
