/**
 * RFC 4180 records from a chunk of a CSV file. Only complete records (ending in a newline) are
 * taken: one cut by the end of the chunk is read again from its start with the next chunk.
 * The scan runs on bytes, not text. The structure characters are ASCII, and ASCII bytes never occur
 * inside a multi-byte UTF-8 sequence, so `consumedBytes` is an exact file offset even when the
 * log holds invalid UTF-8 (decoding and re-encoding would shift it).
 */
export interface CsvScan {
  records: string[][];
  /** Bytes up to the end of the last record taken. */
  consumedBytes: number;
  /** The fields read so far of the record the chunk ends in; empty when it ends on a record's end or the limit was reached. */
  unfinished: string[];
  /** Whether the chunk ends inside a quoted field (where a newline does not end the record). */
  inQuotes: boolean;
}

const QUOTE = 0x22;
const COMMA = 0x2c;
const LF = 0x0a;
const CR = 0x0d;

/** `inQuotes` continues a record that an earlier chunk left inside a quoted field. */
export function completeCsvRecords(bytes: Buffer, options: { maxRecords?: number; inQuotes?: boolean } = {}): CsvScan {
  const maxRecords = options.maxRecords ?? Number.POSITIVE_INFINITY;
  const records: string[][] = [];
  let fields: string[] = [];
  let field = "";
  // First byte of the current field not yet decoded into `field`.
  let from = 0;
  let quoted = options.inQuotes ?? false;
  let consumedBytes = 0;
  const decodeTo = (end: number): void => {
    field += bytes.toString("utf8", from, end);
  };
  const unfinishedRecord = (): string[] => {
    if (consumedBytes === bytes.length || records.length === maxRecords) return [];
    decodeTo(bytes.length);
    return [...fields, field];
  };
  for (let i = 0; i < bytes.length && records.length < maxRecords; i++) {
    const c = bytes[i];
    if (quoted) {
      if (c !== QUOTE) continue;
      decodeTo(i);
      if (bytes[i + 1] === QUOTE) {
        field += '"';
        i++;
      } else quoted = false;
      from = i + 1;
    } else if (c === QUOTE || c === CR) {
      decodeTo(i);
      from = i + 1;
      quoted = c === QUOTE;
    } else if (c === COMMA || c === LF) {
      decodeTo(i);
      from = i + 1;
      fields.push(field);
      field = "";
      if (c === LF) {
        records.push(fields);
        fields = [];
        consumedBytes = i + 1;
      }
    }
  }
  return { records, consumedBytes, unfinished: unfinishedRecord(), inQuotes: quoted };
}
