/**
 * The syslog message formats, parsed without throwing and in time linear in the input: RFC 5424
 * (`<PRI>1 TIMESTAMP HOST APP PROCID MSGID [SD] MSG`) and RFC 3164 (`<PRI>Mmm dd hh:mm:ss HOST
 * TAG[PID]: MSG`, with the RFC 3339 time rsyslog forwards in its place accepted too). Every field
 * is read by index from a bounded token; nothing scans with a pattern that can backtrack.
 * A message without a `<PRI>` header is refused: these ports speak syslog only, and plain lines
 * belong on POST /logs.
 */
import { inferYearlessTime, MONTHS, parseRfc3339 } from "./time.ts";

export type StructuredData = Record<string, Record<string, string>>;

export interface SyslogMessage {
  format: "rfc5424" | "rfc3164";
  facility: number;
  severity: number;
  /** RFC 5424's VERSION. */
  version?: number;
  /** Epoch seconds; absent when the sender wrote none (RFC 5424's "-"). */
  timestamp?: number;
  hostname?: string;
  appName?: string;
  procId?: string;
  msgId?: string;
  structuredData?: StructuredData;
  /** The free-form text, its UTF-8 BOM removed. */
  text: string;
}

export type ParseResult = { ok: true; message: SyslogMessage } | { ok: false; reason: string };

export interface ParseOptions {
  /** IANA zone of RFC 3164 timestamps, which carry none. */
  timeZone: string;
  /** The collector's clock, for RFC 3164's missing year. */
  nowMs: number;
}

// RFC 5424's field limits (section 6).
const MAX_HOSTNAME = 255;
const MAX_APP_NAME = 48;
const MAX_PROCID = 128;
const MAX_MSGID = 32;
const MAX_SD_NAME = 32;
/** RFC 3164 allows 32; real programs ("systemd-resolved", Java main classes) write longer. */
const MAX_TAG = 64;
const BOM = "\uFEFF";

const refuse = (reason: string): ParseResult => ({ ok: false, reason });

/** `<PRI>` with 1-3 digits, no leading zero, at most 191 (facility 23, severity 7); null when absent or malformed. */
function readPri(text: string): { pri: number; end: number } | null {
  if (text[0] !== "<") return null;
  const close = text.indexOf(">", 1);
  if (close < 2 || close > 4) return null;
  const digits = text.slice(1, close);
  if (!/^(?:0|[1-9]\d{0,2})$/.test(digits)) return null;
  const pri = Number(digits);
  return pri > 191 ? null : { pri, end: close + 1 };
}

/** The token from `start` to the next space (or the end), and where the next one starts. */
function token(text: string, start: number): { value: string; next: number } {
  const space = text.indexOf(" ", start);
  const end = space === -1 ? text.length : space;
  return { value: text.slice(start, end), next: space === -1 ? text.length : space + 1 };
}

/** PRINTUSASCII (33-126), as RFC 5424's header fields must be. */
function isPrintableAscii(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code < 33 || code > 126) return false;
  }
  return true;
}

/** A header field: "-" is nil; anything else must be printable ASCII within `max`. */
function headerField(value: string, name: string, max: number): { value?: string } | string {
  if (value === "-") return {};
  if (value === "") return `RFC 5424 ${name} is missing`;
  if (value.length > max || !isPrintableAscii(value))
    return `RFC 5424 ${name} is not 1-${max} printable ASCII characters`;
  return { value };
}

/** One `[SD-ID PARAM="VALUE" ...]` at `start` (its "["): the element and where it ends, or why it is malformed. */
function readSdElement(
  text: string,
  start: number,
): { id: string; params: Record<string, string>; next: number } | string {
  const id = readSdName(text, start + 1);
  if (id === null) return "RFC 5424 SD-ID is not 1-32 printable characters";
  const params: Record<string, string> = {};
  let i = id.end;
  while (text[i] === " ") {
    const name = readSdName(text, i + 1);
    if (name === null || text[name.end] !== "=" || text[name.end + 1] !== '"')
      return `RFC 5424 SD-PARAM in [${id.name}] is not name="value"`;
    const value = readSdValue(text, name.end + 2);
    if (value === null) return `RFC 5424 SD-PARAM ${name.name} in [${id.name}] has no closing quote`;
    // A repeated name keeps its first value, as a repeated SD-ID does.
    if (!Object.hasOwn(params, name.name)) params[name.name] = value.value;
    i = value.end;
  }
  return text[i] === "]" ? { id: id.name, params, next: i + 1 } : `RFC 5424 SD-ELEMENT [${id.name}] is not closed by ]`;
}

/** RFC 5424 STRUCTURED-DATA from `start`: the elements and where the message starts, or why it is malformed. */
function readStructuredData(text: string, start: number): { data?: StructuredData; next: number } | string {
  if (text[start] === "-")
    return text.length === start + 1 || text[start + 1] === " "
      ? { next: start + 2 }
      : "RFC 5424 STRUCTURED-DATA is neither - nor [elements]";
  if (text[start] !== "[") return "RFC 5424 STRUCTURED-DATA is neither - nor [elements]";
  const data: StructuredData = {};
  let i = start;
  while (text[i] === "[") {
    const element = readSdElement(text, i);
    if (typeof element === "string") return element;
    if (!Object.hasOwn(data, element.id)) data[element.id] = element.params;
    i = element.next;
  }
  if (i < text.length && text[i] !== " ") return "RFC 5424 STRUCTURED-DATA is not followed by a space";
  return { data, next: i + 1 };
}

/** SD-NAME: 1-32 printable ASCII except '=', ' ', ']' and '"'. */
function readSdName(text: string, start: number): { name: string; end: number } | null {
  let end = start;
  while (end < text.length && end - start <= MAX_SD_NAME) {
    const code = text.charCodeAt(end);
    if (code < 33 || code > 126 || code === 61 || code === 93 || code === 34) break;
    end++;
  }
  const length = end - start;
  return length === 0 || length > MAX_SD_NAME ? null : { name: text.slice(start, end), end };
}

/** PARAM-VALUE up to its closing quote, with \" \\ \] unescaped (any other backslash is kept, as RFC 5424 says). */
function readSdValue(text: string, start: number): { value: string; end: number } | null {
  let value = "";
  let from = start;
  for (let i = start; i < text.length; i++) {
    const char = text[i];
    if (char === "\\" && (text[i + 1] === '"' || text[i + 1] === "\\" || text[i + 1] === "]")) {
      value += text.slice(from, i);
      from = i + 1;
      i++;
    } else if (char === '"') {
      return { value: value + text.slice(from, i), end: i + 1 };
    }
  }
  return null;
}

/** The `count` space-separated header tokens from `start`, or null when the text ends first. */
function headerTokens(text: string, start: number, count: number): { values: string[]; next: number } | null {
  const values: string[] = [];
  let next = start;
  for (let i = 0; i < count; i++) {
    if (next >= text.length) return null;
    const field = token(text, next);
    values.push(field.value);
    next = field.next;
  }
  return { values, next };
}

function parseRfc5424(text: string, pri: number, afterPri: number): ParseResult {
  const version = token(text, afterPri);
  const tokens = headerTokens(text, version.next, 5);
  if (tokens === null)
    return refuse("RFC 5424 header ends early (TIMESTAMP HOSTNAME APP-NAME PROCID MSGID STRUCTURED-DATA)");
  const { next } = tokens;
  const [time = "", host = "", app = "", proc = "", msgId = ""] = tokens.values;
  const timestamp = time === "-" ? undefined : time.length <= 40 ? parseRfc3339(time) : null;
  if (timestamp === null) return refuse("RFC 5424 TIMESTAMP is not an RFC 3339 time with a zone");
  const header: Record<string, string | undefined> = {};
  for (const [name, value, max, key] of [
    ["HOSTNAME", host, MAX_HOSTNAME, "hostname"],
    ["APP-NAME", app, MAX_APP_NAME, "appName"],
    ["PROCID", proc, MAX_PROCID, "procId"],
    ["MSGID", msgId, MAX_MSGID, "msgId"],
  ] as const) {
    const field = headerField(value, name, max);
    if (typeof field === "string") return refuse(field);
    header[key] = field.value;
  }
  if (next >= text.length) return refuse("RFC 5424 STRUCTURED-DATA is missing");
  const sd = readStructuredData(text, next);
  if (typeof sd === "string") return refuse(sd);
  const body = text.slice(Math.min(sd.next, text.length));
  return {
    ok: true,
    message: {
      format: "rfc5424",
      facility: pri >> 3,
      severity: pri & 7,
      version: Number(version.value),
      ...definedOnly({ timestamp, ...header, structuredData: sd.data }),
      text: body.startsWith(BOM) ? body.slice(BOM.length) : body,
    },
  };
}

/** The optional fields that were read: an absent one is left out, not set to undefined. */
const definedOnly = <T extends Record<string, unknown>>(record: T): Partial<T> =>
  Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined)) as Partial<T>;

const MONTH_INDEX = new Map<string, number>(MONTHS.map((name, i) => [name, i + 1]));
// "Dec 10 06:55:46", "Dec  1 06:55:46" (day padded with a space), optionally ".123".
const BSD_TIME = /^([A-Z][a-z]{2}) ([ \d]\d) (\d{2}):(\d{2}):(\d{2})(\.\d{1,6})?(?: |$)/;

/** RFC 3164's TIMESTAMP (or an RFC 3339 time in its place) at `start`: epoch seconds and where the rest starts. */
function readBsdTimestamp(
  text: string,
  start: number,
  options: ParseOptions,
): { timestamp: number; next: number } | null | "invalid" {
  const head = text.slice(start, start + 24);
  const bsd = BSD_TIME.exec(head);
  if (bsd !== null) {
    const [whole, monthName = "", day = "", hour = "", minute = "", second = "", fraction = ""] = bsd;
    const month = MONTH_INDEX.get(monthName);
    if (month === undefined) return null;
    const timestamp = inferYearlessTime(
      {
        month,
        day: Number(day.trim()),
        hour: Number(hour),
        minute: Number(minute),
        second: Number(second),
        fraction: fraction === "" ? 0 : Number(fraction),
      },
      options.timeZone,
      options.nowMs,
    );
    return timestamp === null ? "invalid" : { timestamp, next: start + whole.length };
  }
  if (!/^\d{4}-\d{2}-\d{2}T/.test(head)) return null;
  const iso = token(text, start);
  const timestamp = iso.value.length <= 40 ? parseRfc3339(iso.value) : null;
  return timestamp === null ? "invalid" : { timestamp, next: iso.next };
}

/** `tag[pid]:` or `tag:` at the start of `text`: the program, its pid and where the message starts; null when the text does not start with one. */
function readTag(text: string): { appName: string; procId?: string; next: number; spaced: boolean } | null {
  let end = 0;
  while (end < text.length && end <= MAX_TAG && isTagChar(text.charCodeAt(end))) end++;
  if (end === 0 || end > MAX_TAG) return null;
  const pid = text[end] === "[" ? readPid(text, end) : { procId: undefined, end };
  if (pid === null || text[pid.end] !== ":") return null;
  const spaced = text[pid.end + 1] === " ";
  return {
    appName: text.slice(0, end),
    ...definedOnly({ procId: pid.procId }),
    next: spaced ? pid.end + 2 : pid.end + 1,
    spaced: spaced || pid.end + 1 === text.length,
  };
}

/** The tag is alphanumeric in RFC 3164; programs also use . _ - / ( ) @: anything printable but ":", "[" and "]". */
const isTagChar = (code: number): boolean => code > 32 && code <= 126 && code !== 58 && code !== 91 && code !== 93;

/** `[PID]` at `open`: its printable content and where it ends; null when malformed. */
function readPid(text: string, open: number): { procId: string; end: number } | null {
  const close = text.indexOf("]", open + 1);
  if (close === -1 || close === open + 1 || close - open - 1 > MAX_PROCID) return null;
  const procId = text.slice(open + 1, close);
  return isPrintableAscii(procId) ? { procId, end: close + 1 } : null;
}

function parseRfc3164(text: string, pri: number, afterPri: number, options: ParseOptions): ParseResult {
  const time = readBsdTimestamp(text, afterPri, options);
  if (time === "invalid") return refuse("RFC 3164 TIMESTAMP names no real date");
  const base = { format: "rfc3164" as const, facility: pri >> 3, severity: pri & 7 };
  // Without a TIMESTAMP there is no HEADER: RFC 3164 takes everything after PRI as the message.
  if (time === null) {
    const rest = text.slice(afterPri);
    const tag = readTag(rest);
    return {
      ok: true,
      message:
        tag === null
          ? { ...base, text: rest }
          : {
              ...base,
              appName: tag.appName,
              ...(tag.procId === undefined ? {} : { procId: tag.procId }),
              text: rest.slice(tag.next),
            },
    };
  }
  let rest = text.slice(time.next);
  let hostname: string | undefined;
  // A sender writing to the local socket leaves out HOSTNAME: the word after the time is then already
  // the tag. "2001:db8::1 sshd[7]: …" is a host: a tag's colon is followed by a space.
  if (readTag(rest)?.spaced !== true) {
    const host = token(rest, 0);
    if (host.value !== "" && host.value.length <= MAX_HOSTNAME && isPrintableAscii(host.value)) {
      hostname = host.value;
      rest = rest.slice(host.next);
    }
  }
  const tag = readTag(rest);
  return {
    ok: true,
    message: {
      ...base,
      timestamp: time.timestamp,
      ...(hostname === undefined ? {} : { hostname }),
      ...(tag === null ? {} : { appName: tag.appName, ...(tag.procId === undefined ? {} : { procId: tag.procId }) }),
      text: tag === null ? rest : rest.slice(tag.next),
    },
  };
}

/** The frame without the CR, LF and NUL some senders end a message with (by index: a pattern would rescan long runs). */
function withoutTrailingDelimiters(frame: string): string {
  let end = frame.length;
  while (end > 0 && (frame[end - 1] === "\n" || frame[end - 1] === "\r" || frame[end - 1] === "\0")) end--;
  return end === frame.length ? frame : frame.slice(0, end);
}

/** One syslog message (a datagram, or a frame of a stream without its delimiter). */
export function parseSyslog(frame: string, options: ParseOptions): ParseResult {
  const text = withoutTrailingDelimiters(frame);
  if (text.trim() === "") return refuse("empty message");
  const pri = readPri(text);
  if (pri === null) return refuse("no <PRI> header (0-191): not a syslog message");
  // "<PRI>1 " is RFC 5424's VERSION (the only one defined); an RFC 3164 header never starts with a digit and a space.
  if (text.startsWith("1 ", pri.end)) return parseRfc5424(text, pri.pri, pri.end);
  return parseRfc3164(text, pri.pri, pri.end, options);
}
