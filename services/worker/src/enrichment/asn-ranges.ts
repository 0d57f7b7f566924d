/**
 * The address-range → autonomous-system table of the ip-location-db ASN CSV files (`start,end,asn,organization`,
 * addresses as integers, inclusive, sorted by start), searched by bisection. The merged sources overlap
 * in a few places: there the earlier row keeps the overlapping addresses and the later row is cut. Pure: parsing takes
 * the text, lookups the address. Kept as typed arrays and one string per organization, so the ~500,000
 * ranges cost tens of megabytes, not the hundreds that one object per row would.
 */
import type { AutonomousSystem } from "./records.ts";

interface RangeTable<Key extends number | bigint> {
  /** Rows kept; the arrays may be longer. */
  count: number;
  starts: ArrayLike<Key>;
  ends: ArrayLike<Key>;
  numbers: Uint32Array;
  organizationIndex: Uint32Array;
  organizations: string[];
}

export interface AsnRanges {
  ipv4: RangeTable<number>;
  ipv6: RangeTable<bigint>;
}

interface Row {
  start: string;
  end: string;
  number: number;
  organization: string;
}

/** One CSV row; the organization is the rest of the line, quoted when it holds a comma. */
function parseRow(line: string, lineNumber: number): Row {
  const first = line.indexOf(",");
  const second = line.indexOf(",", first + 1);
  const third = line.indexOf(",", second + 1);
  const number = Number(line.slice(second + 1, third));
  if (
    first <= 0 ||
    second <= first ||
    third <= second ||
    !Number.isInteger(number) ||
    number < 0 ||
    number > 4_294_967_295
  ) {
    throw new Error(`ASN ranges line ${lineNumber}: expected start,end,asn,organization`);
  }
  const raw = line.slice(third + 1);
  const organization = raw.startsWith('"') && raw.endsWith('"') ? raw.slice(1, -1).replaceAll('""', '"') : raw;
  return { start: line.slice(0, first), end: line.slice(first + 1, second), number, organization };
}

function parseTable<Key extends number | bigint>(
  csv: string,
  toKey: (text: string) => Key,
  makeKeys: (length: number) => { [index: number]: Key } & ArrayLike<Key>,
): RangeTable<Key> {
  // Walked line by line: an array of half a million line strings would double the memory needed at start.
  let rows = 0;
  for (let at = csv.indexOf("\n"); at !== -1; at = csv.indexOf("\n", at + 1)) rows++;
  if (!csv.endsWith("\n")) rows++;
  const table = {
    count: 0,
    starts: makeKeys(rows),
    ends: makeKeys(rows),
    numbers: new Uint32Array(rows),
    organizationIndex: new Uint32Array(rows),
    organizations: [] as string[],
  };
  const indexOfOrganization = new Map<string, number>();
  for (let lineStart = 0, i = 0; lineStart < csv.length; i++) {
    const newline = csv.indexOf("\n", lineStart);
    const lineEnd = newline === -1 ? csv.length : newline;
    const line = csv.slice(lineStart, lineEnd).trimEnd();
    lineStart = lineEnd + 1;
    if (line.length === 0) continue;
    const row = parseRow(line, i + 1);
    const end = toKey(row.end);
    let start = toKey(row.start);
    const previousEnd = table.count > 0 ? (table.ends[table.count - 1] as Key) : null;
    if (end < start || (previousEnd !== null && start < (table.starts[table.count - 1] as Key)))
      throw new Error(`ASN ranges line ${i + 1}: ranges must be sorted by start`);
    if (previousEnd !== null && start <= previousEnd) {
      if (end <= previousEnd) continue;
      start = (typeof previousEnd === "bigint" ? previousEnd + 1n : (previousEnd as number) + 1) as Key;
    }
    const at = table.count++;
    let organization = indexOfOrganization.get(row.organization);
    if (organization === undefined) {
      // A slice keeps the whole file's text alive; a copy lets it go once the table is built.
      organization = table.organizations.push(Buffer.from(row.organization, "utf8").toString("utf8")) - 1;
      indexOfOrganization.set(row.organization, organization);
    }
    table.starts[at] = start;
    table.ends[at] = end;
    table.numbers[at] = row.number;
    table.organizationIndex[at] = organization;
  }
  return table;
}

const ipv4Key = (text: string): number => {
  const key = Number(text);
  if (!Number.isInteger(key) || key < 0 || key > 0xffff_ffff)
    throw new Error(`not an IPv4 address as an integer: ${text.slice(0, 40)}`);
  return key;
};
const ipv6Key = (text: string): bigint => {
  if (!/^\d{1,39}$/.test(text)) throw new Error(`not an IPv6 address as an integer: ${text.slice(0, 40)}`);
  return BigInt(text);
};

/** The `asn-ipv4-num.csv` and `asn-ipv6-num.csv` texts. */
export function parseAsnRanges(ipv4Csv: string, ipv6Csv: string): AsnRanges {
  return {
    ipv4: parseTable(ipv4Csv, ipv4Key, (length) => new Uint32Array(length)),
    ipv6: parseTable(ipv6Csv, ipv6Key, (length) => new Array<bigint>(length).fill(0n)),
  };
}

/** A dotted IPv4 address as an integer. */
export const ipv4ToInteger = (address: string): number =>
  address.split(".").reduce((sum, octet) => sum * 256 + Number(octet), 0);

/** A canonical IPv6 address (hex groups, at most one `::`, no dotted tail) as an integer. */
export function ipv6ToInteger(address: string): bigint {
  const [head = "", tail] = address.split("::");
  const groupsOf = (part: string) => (part === "" ? [] : part.split(":"));
  const [left, right] = [groupsOf(head), tail === undefined ? [] : groupsOf(tail)];
  const groups = [...left, ...new Array<string>(8 - left.length - right.length).fill("0"), ...right];
  return groups.reduce((sum, group) => (sum << 16n) | BigInt(Number.parseInt(group, 16)), 0n);
}

function find<Key extends number | bigint>(table: RangeTable<Key>, key: Key): AutonomousSystem | null {
  let [low, high] = [0, table.count - 1];
  while (low <= high) {
    const middle = (low + high) >>> 1;
    if ((table.starts[middle] as Key) > key) high = middle - 1;
    else if ((table.ends[middle] as Key) < key) low = middle + 1;
    else {
      // AS 0 marks space announced by nobody.
      if (table.numbers[middle] === 0) return null;
      const name = table.organizations[table.organizationIndex[middle] as number];
      return { number: table.numbers[middle] as number, ...(name ? { organization: { name } } : {}) };
    }
  }
  return null;
}

/** The autonomous system announcing an address (dotted IPv4 or canonical IPv6), or null when none does. */
export function findAutonomousSystem(ranges: AsnRanges, address: string): AutonomousSystem | null {
  return address.includes(":") ? find(ranges.ipv6, ipv6ToInteger(address)) : find(ranges.ipv4, ipv4ToInteger(address));
}
