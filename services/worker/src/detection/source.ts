/**
 * Who sent a log line: the client address at the position each recognised format defines.
 *
 * Attackers write parts of the lines we read (the SSH user name, the HTTP path and headers, the
 * PAM ruser), so an address is never taken from just anywhere: a user name of `10.0.0.1` must not
 * make sshd's `Failed password for invalid user 10.0.0.1 from 203.0.113.9 port 22 ssh2` come from
 * 10.0.0.1. Each format below names where its program writes the client: either right after a
 * prefix the program writes itself (nothing the client sends comes before it), or in a trailer the
 * program writes last (matched at the end of the line, after any text the client chose).
 * A line of no known format may still yield an address found in its text, but that source is
 * marked `inferred`, and the whitelist never silences an inferred source.
 *
 * Every pattern has bounded repetition, and trailers are matched on a bounded tail of the line,
 * so the cost per line is linear whatever its content.
 */
import { isIP } from "node:net";

export interface SourceAttribution {
  /** The client's IPv4 or IPv6 address (IPv4-mapped IPv6 written as IPv4). */
  ip: string | null;
  /** A host name where the format puts the client (sshd with UseDNS, rhost=host.example): kept as a name, never mined for digits. */
  host: string | null;
  /** True when no recognised format placed the address: it was found somewhere in the text. */
  inferred: boolean;
  /** The format that placed the source, or null. */
  format: string | null;
}

const NO_SOURCE: SourceAttribution = { ip: null, host: null, inferred: false, format: null };

/**
 * A format's rule. `locate` answers undefined when the line is not of this format, null when it is
 * but names no client (a local login), and otherwise the raw text at the client position.
 */
interface SourceFormat {
  name: string;
  locate(line: Line): string | null | undefined;
}

/** The text the rules read. */
interface Line {
  whole: string;
  /** Where a program's own message may start: the whole line, then after the syslog header when there is one. */
  bodies: string[];
  /** The last characters of the line, where trailers are looked for. */
  tail: string;
}

// A token at a client position is \S{1,255} (a host name has at most 253 characters).
const TAIL_CHARS = 1024;

// A syslog header ends at its `program[pid]: ` or `program: `; whatever a client wrote comes after it.
const SYSLOG_TAG = /^(?:<\d{1,3}>)?(?:\S{1,64} ){0,6}?[\w./()-]{1,64}(?:\[\d{1,10}\])?: /;

function readLine(message: string): Line {
  // Trailing CR/LF and blanks (CRLF files, shippers) would hide the end of a trailer.
  const whole = message.trimEnd();
  const tag = SYSLOG_TAG.exec(whole.slice(0, 256));
  const bodies = tag === null ? [whole] : [whole, whole.slice(tag[0].length)];
  return { whole, bodies, tail: whole.slice(-TAIL_CHARS) };
}

/**
 * The first body that starts with the pattern decides. The whole line is tried first: a bare line
 * (no header) starts with the program's words, and a client cannot put anything before a real header.
 */
function atStart(line: Line, pattern: RegExp): string | undefined {
  for (const body of line.bodies) {
    const match = pattern.exec(body);
    if (match !== null) return match[1] ?? "";
  }
  return undefined;
}

// sshd messages whose client position follows sshd's own words. The token runs to the next blank; older
// releases end it with a colon (`Received disconnect from 1.2.3.4: 11: Bye Bye`), which `attributed` drops.
const SSHD_PREFIXED =
  /^(?:error: |fatal: )?(?:(?:Received disconnect|Disconnected|Connection reset|Connection closed|Did not receive identification string|Timeout before authentication|Unable to negotiate) (?:from|by|with|for) (?!(?:invalid |authenticating )?user )(\S{1,255})(?= |$)|Connection from (\S{1,255}) port \d{1,5}|ROOT LOGIN REFUSED FROM (\S{1,255})(?= |$)|Address (\S{1,255}) maps to |reverse mapping checking getaddrinfo for \S{1,255} \[([^\]\s]{1,255})\] failed)/;
// sshd messages with a client-chosen user name before the address: sshd writes the address last, after
// `from` (`Failed password for <user> from <addr> port <n> ssh2`) or, on disconnects, before the port.
const SSHD_USER_FROM = /^(?:error: )?(?:(?:Failed|Accepted|Postponed) \S{1,64} for |(?:Invalid|Illegal) user |User |maximum authentication attempts exceeded for )/;
const SSHD_USER_DISCONNECT = /^(?:Disconnected from|Connection closed by|Disconnecting) (?:invalid |authenticating )?user /;
const SSHD_FROM_TRAILER = / from (\S{1,255}?)(?:(?: port \d{1,5})?(?: ssh\d)?(?:: \S{1,16} \S{1,128})?(?: \[preauth\])?| not allowed because [\w' ]{1,80})$/;
const SSHD_PORT_TRAILER = / (\S{1,255}?) port \d{1,5}(?: \[preauth\])?$/;
// sshd messages that name a user but no client: an address-like user name there must not become a source.
const SSHD_NO_CLIENT = /^(?:error: |fatal: )?(?:Disconnecting: Too many authentication failures|input_userauth_request: |PAM service\(|pam_unix\(sshd:(?:account|session)\): )/;

const sshd: SourceFormat = {
  name: "sshd",
  locate(line) {
    for (const body of line.bodies) {
      const prefixed = SSHD_PREFIXED.exec(body);
      if (prefixed !== null) return prefixed.slice(1).find((token) => token !== undefined) ?? null;
      if (SSHD_USER_FROM.test(body)) return SSHD_FROM_TRAILER.exec(line.tail)?.[1] ?? null;
      if (SSHD_USER_DISCONNECT.test(body)) return SSHD_PORT_TRAILER.exec(line.tail)?.[1] ?? null;
      if (SSHD_NO_CLIENT.test(body)) return null;
    }
    return undefined;
  },
};

// PAM, both `pam_unix(sshd:auth): authentication failure;` and the older `sshd(pam_unix)[42]: authentication failure;`,
// any service. The fields come in a fixed order; `user=`, the one a client chooses, comes after rhost.
const PAM_FAILURE =
  /(?:\bpam_\w{1,32}\([\w-]{1,32}:auth\): |\(pam_\w{1,32}\)\[\d{1,10}\]: |PAM \d{1,4} more )authentication failures?; logname=\S{0,64} uid=\d{0,10} euid=\d{0,10} tty=\S{0,64} ruser=\S{0,64} rhost=(\S{0,255})/;

const pam: SourceFormat = {
  name: "pam",
  locate: (line) => PAM_FAILURE.exec(line.whole.slice(0, 2048))?.[1],
};

// klogind and login (util-linux, shadow) write the client straight after their own words.
const klogind: SourceFormat = {
  name: "klogind",
  locate: (line) => atStart(line, /^(?:Authentication failed|Kerberos authentication failed|Connection) from (\S{1,255}?)(?: \(|:|$)/),
};
const login: SourceFormat = {
  name: "login",
  locate: (line) => atStart(line, /^FAILED LOGIN (?:\(?\d{1,6}\)? )?(?:on '?[^'\s]{1,64}'? )?FROM '?([^'\s]{1,255})'? FOR /),
};

// nginx and Apache access logs (common, combined): the client is the first field.
const accessLog: SourceFormat = {
  name: "access-log",
  locate: (line) => atStart(line, /^(\S{1,255}) \S{1,256} \S{1,256} \[[^\]]{1,64}\] "/),
};

// Apache error log: `[time] [level] [client 1.2.3.4] ...` (2.2), `[time] [mod:level] [pid n:tid m] [client 1.2.3.4:5555] ...` (2.4).
const APACHE_ERROR = /^\[[^\]]{1,64}\] \[(\w{0,32}:)?\w{1,16}\](?: \[pid [^\]]{1,64}\])? \[client (\S{1,255}?)\]/;
const apacheError: SourceFormat = {
  name: "apache-error",
  locate(line) {
    for (const body of line.bodies) {
      const match = APACHE_ERROR.exec(body);
      if (match?.[2] === undefined) continue;
      // 2.4 (its level names a module) always writes address:port, even for IPv6 (`::1:54712`).
      return match[1] === undefined ? match[2] : match[2].replace(/:\d{1,5}$/, "");
    }
    return undefined;
  },
};

// nginx error log: `... *1 <message>, client: <addr>, server: <name>, request: "..."`. Client-chosen text
// (a Basic-auth user name, a referrer) can stand before and after, so a line with two `client:` fields
// is ambiguous and left to the inferred fallback.
const NGINX_ERROR = /^\d{4}\/\d{2}\/\d{2} \d{2}:\d{2}:\d{2} \[\w{1,8}\] \d{1,10}#\d{1,10}: /;
const NGINX_CLIENT = /, client: (\S{1,255}?), server: /g;
const nginxError: SourceFormat = {
  name: "nginx-error",
  locate(line) {
    const body = line.bodies.find((candidate) => NGINX_ERROR.test(candidate));
    if (body === undefined) return undefined;
    const clients = [...body.matchAll(NGINX_CLIENT)].slice(0, 2);
    if (clients.length > 1) return undefined;
    return clients[0]?.[1] ?? null;
  },
};

// PostgreSQL: `LOG:  connection received: host=<addr> port=<n>`, and log_line_prefix's `%r` (`addr(port)`)
// as the last field of the prefix before the severity; the user name (`%u`) comes before it.
const POSTGRES_CONNECTION = /\bLOG: {1,2}connection received: host=(\S{1,255}?)(?: port=\d{1,5})?$/;
const POSTGRES_SEVERITY = / (?:LOG|FATAL|ERROR|WARNING|PANIC): {2}/;
const postgres: SourceFormat = {
  name: "postgresql",
  locate(line) {
    const connection = POSTGRES_CONNECTION.exec(line.tail);
    if (connection !== null) return connection[1];
    const severity = POSTGRES_SEVERITY.exec(line.whole.slice(0, 512));
    if (severity === null) return undefined;
    const prefixTokens = line.whole.slice(0, severity.index).split(" ");
    const remote = /^(?:\S{0,64}@\S{0,64}\s)?(\S{1,255})\(\d{1,5}\)$/.exec(prefixTokens.at(-1) ?? "");
    return remote?.[1];
  },
};

/** In order: the first format that recognises the line decides, even when it names no client. */
const FORMATS: readonly SourceFormat[] = [sshd, pam, klogind, login, apacheError, nginxError, accessLog, postgres];

/** The address in a token written at a client position: `1.2.3.4`, `1.2.3.4:5555`, `[2001:db8::1]:22`, `::ffff:1.2.3.4`. */
export function addressOf(token: string): string | null {
  if (token.length > 64) return null;
  const bracketed = /^\[([0-9A-Fa-f:.]{2,45})\](?::\d{1,5})?$/.exec(token);
  const candidate = bracketed?.[1] ?? token.replace(/^(\d{1,3}(?:\.\d{1,3}){3}):\d{1,5}$/, "$1");
  const family = isIP(candidate);
  if (family === 4) return candidate;
  if (family !== 6) return null;
  const lower = candidate.toLowerCase();
  return /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/.exec(lower)?.[1] ?? lower;
}

// A DNS name: labels of letters, digits and hyphens, and a letter somewhere so `1.2.3` is no host.
const HOST_LABELS = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?){0,126}$/;

/** A host name as written at a client position, lower-cased, or null when the token is no host name. */
export function hostNameOf(token: string): string | null {
  const name = token.endsWith(".") ? token.slice(0, -1) : token;
  if (name.length === 0 || name.length > 253 || !/[A-Za-z]/.test(name) || !HOST_LABELS.test(name)) return null;
  return name.toLowerCase();
}

function attributed(token: string, format: string): SourceAttribution {
  const ip = addressOf(token) ?? (token.endsWith(":") ? addressOf(token.slice(0, -1)) : null);
  return { ip, host: ip === null ? hostNameOf(token) : null, inferred: false, format };
}

// Free text splits into candidate tokens on characters that never occur inside an address.
const TOKEN_SEPARATORS = /[\s,;"'()<>=|{}/\\]/;
const EDGE_PUNCTUATION = new Set([".", ":", "[", "]"]);

function trimEdges(token: string): string {
  let start = 0;
  let end = token.length;
  while (start < end && EDGE_PUNCTUATION.has(token[start] as string)) start++;
  while (end > start && EDGE_PUNCTUATION.has(token[end - 1] as string)) end--;
  return token.slice(start, end);
}

/** The first IPv4 or IPv6 address anywhere in the text, for lines of no known format. */
export function firstAddressIn(text: string): string | null {
  for (const token of text.split(TOKEN_SEPARATORS)) {
    if (token.length < 2 || token.length > 64) continue;
    const address = addressOf(token) ?? addressOf(trimEdges(token));
    if (address !== null) return address;
  }
  return null;
}

/**
 * The source of a log: the collector's structured field when it sent one (it comes from the
 * provider, not the text), else the client position of the line's format, else an address found
 * in the text, marked inferred.
 */
export function attributeSource(message: string, structuredIp?: string): SourceAttribution {
  if (structuredIp !== undefined) {
    const ip = addressOf(structuredIp);
    if (ip !== null) return { ip, host: null, inferred: false, format: "structured" };
  }
  const line = readLine(message);
  for (const format of FORMATS) {
    const token = format.locate(line);
    if (token === undefined) continue;
    return token === null || token === "" ? { ...NO_SOURCE, format: format.name } : attributed(token, format.name);
  }
  const ip = firstAddressIn(message);
  return ip === null ? NO_SOURCE : { ip, host: null, inferred: true, format: null };
}
