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

export type AuthenticationOutcome = "success" | "failure";

/** What a recognised format writes beside the client; each absent where it writes nothing. */
export interface ClientFacts {
  /** The client's source port. */
  port?: number;
  /** The account named, exactly as written between the program's own words (it may hold blanks and quotes). */
  user?: string;
  /** The result of the authentication the line reports. */
  outcome?: AuthenticationOutcome;
}

export interface SourceAttribution extends ClientFacts {
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

/** What a format read from a line: the raw text at the client position (null: it names no client) and the facts beside it. */
interface Placement extends ClientFacts {
  client: string | null;
}

/** A format's rule. `locate` answers undefined when the line is not of this format. */
interface SourceFormat {
  name: string;
  locate(line: Line): Placement | undefined;
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
// Longer than any system's account names (Linux: 32, PostgreSQL: 63): text a client padded, not a name.
const MAX_USER_CHARS = 256;

// A syslog header ends at its `program[pid]: ` or `program: `; whatever a client wrote comes after it.
const SYSLOG_TAG = /^(?:<\d{1,3}>)?(?:\S{1,64} ){0,6}?[\w./()-]{1,64}(?:\[\d{1,10}\])?: /;

function readLine(message: string): Line {
  // Trailing CR/LF and blanks (CRLF files, shippers) would hide the end of a trailer.
  const whole = message.trimEnd();
  const tag = SYSLOG_TAG.exec(whole.slice(0, 256));
  const bodies = tag === null ? [whole] : [whole, whole.slice(tag[0].length)];
  return { whole, bodies, tail: whole.slice(-TAIL_CHARS) };
}

/** Where `body` (a suffix of the line) starts in the whole line. */
const startOf = (line: Line, body: string): number => line.whole.length - body.length;
/** Where a match found in the tail starts in the whole line. */
const tailIndex = (line: Line, match: RegExpExecArray): number => line.whole.length - line.tail.length + match.index;

/** The account name between the end of a program's own words and the start of its trailer, as written. */
const userBetween = (line: Line, from: number, to: number): string | undefined =>
  to > from ? line.whole.slice(from, to) : undefined;

/** A name as written, unless empty or longer than any account name. */
const accountName = (written: string | undefined): string | undefined =>
  written !== undefined && written.length > 0 && written.length <= MAX_USER_CHARS ? written : undefined;

function portOf(digits: string | undefined): number | undefined {
  const port = digits === undefined ? undefined : Number(digits);
  return port !== undefined && port <= 65_535 ? port : undefined;
}

/**
 * The first body that starts with the pattern decides. The whole line is tried first: a bare line
 * (no header) starts with the program's words, and a client cannot put anything before a real header.
 */
function matchAtStart(line: Line, pattern: RegExp): RegExpExecArray | undefined {
  for (const body of line.bodies) {
    const match = pattern.exec(body);
    if (match !== null) return match;
  }
  return undefined;
}

// sshd messages whose client position follows sshd's own words. The token runs to the next blank; older
// releases end it with a colon (`Received disconnect from 1.2.3.4: 11: Bye Bye`), which `attributed` drops.
const SSHD_PREFIXED =
  /^(?:error: |fatal: )?(?:(?:Received disconnect|Disconnected|Connection reset|Connection closed|Did not receive identification string|Timeout before authentication|Unable to negotiate) (?:from|by|with|for) (?!(?:invalid |authenticating )?user )(\S{1,255})(?= |$)|Connection from (\S{1,255})(?= port \d)|ROOT LOGIN REFUSED FROM (\S{1,255})(?= |$)|Address (\S{1,255}) maps to |reverse mapping checking getaddrinfo for \S{1,255} \[([^\]\s]{1,255})\] failed)/;
// The port sshd writes right after a prefixed client position.
const SSHD_PORT_AFTER = /^ port (\d{1,5})(?!\d)/;
// sshd messages with a client-chosen user name before the address: sshd writes the address last, after
// `from` (`Failed password for <user> from <addr> port <n> ssh2`) or, on disconnects, before the port.
const SSHD_USER_FROM =
  /^(?:error: )?(?:(Failed|Accepted|Postponed) \S{1,64} for |(?:Invalid|Illegal) user |(User) |maximum authentication attempts exceeded for )/;
const SSHD_USER_DISCONNECT =
  /^(?:Disconnected from|Connection closed by|Disconnecting) (?:invalid |authenticating )?user /;
const SSHD_FROM_TRAILER =
  / from (\S{1,255}?)(?:(?: port (\d{1,5}))?(?: ssh\d)?(?:: \S{1,16} \S{1,128})?(?: \[preauth\])?|( not allowed because [\w' ]{1,80}))$/;
const SSHD_PORT_TRAILER = / (\S{1,255}?) port (\d{1,5})(?: \[preauth\])?$/;
// sshd messages that name a user but no client: an address-like user name there must not become a source.
const SSHD_NO_CLIENT =
  /^(?:error: |fatal: )?(?:Disconnecting: Too many authentication failures|input_userauth_request: |PAM service\(|pam_unix\(sshd:(?:account|session)\): )/;
// After `Failed password for`, sshd marks an account that does not exist; no real account name holds a blank.
const NONEXISTENT_ACCOUNT = /^(?:invalid|illegal) user /;

/** `Accepted` succeeded; `Postponed` is a step of one still going on; `User … from …` failed only when sshd says it is not allowed. */
function sshdOutcome(verb: string | undefined, notAllowed: boolean): AuthenticationOutcome | undefined {
  if (verb === "Accepted") return "success";
  if (verb === "Postponed") return undefined;
  if (verb === "User") return notAllowed ? "failure" : undefined;
  return "failure";
}

function sshdUserFrom(line: Line, body: string, head: RegExpExecArray): Placement {
  const trailer = SSHD_FROM_TRAILER.exec(line.tail);
  if (trailer === null) return { client: null };
  const verb = head[1] ?? head[2];
  const written = userBetween(line, startOf(line, body) + head[0].length, tailIndex(line, trailer));
  const user = head[1] === undefined ? written : written?.replace(NONEXISTENT_ACCOUNT, "");
  return {
    client: trailer[1] ?? null,
    port: portOf(trailer[2]),
    user,
    outcome: sshdOutcome(verb, trailer[3] !== undefined),
  };
}

function sshdUserDisconnect(line: Line, body: string, head: RegExpExecArray): Placement {
  const trailer = SSHD_PORT_TRAILER.exec(line.tail);
  if (trailer === null) return { client: null };
  return {
    client: trailer[1] ?? null,
    port: portOf(trailer[2]),
    user: userBetween(line, startOf(line, body) + head[0].length, tailIndex(line, trailer)),
  };
}

const sshd: SourceFormat = {
  name: "sshd",
  locate(line) {
    for (const body of line.bodies) {
      const prefixed = SSHD_PREFIXED.exec(body);
      if (prefixed !== null) {
        const port = SSHD_PORT_AFTER.exec(body.slice(prefixed[0].length))?.[1];
        return { client: prefixed.slice(1).find((token) => token !== undefined) ?? null, port: portOf(port) };
      }
      const userFrom = SSHD_USER_FROM.exec(body);
      if (userFrom !== null) return sshdUserFrom(line, body, userFrom);
      const userDisconnect = SSHD_USER_DISCONNECT.exec(body);
      if (userDisconnect !== null) return sshdUserDisconnect(line, body, userDisconnect);
      if (SSHD_NO_CLIENT.test(body)) return { client: null };
    }
    return undefined;
  },
};

// PAM, both `pam_unix(sshd:auth): authentication failure;` and the older `sshd(pam_unix)[42]: authentication failure;`,
// any service. The fields come in a fixed order; `user=`, the one a client chooses, comes last, after rhost.
const PAM_FAILURE =
  /(?:\bpam_\w{1,32}\([\w-]{1,32}:auth\): |\(pam_\w{1,32}\)\[\d{1,10}\]: |PAM \d{1,4} more )authentication failures?; logname=\S{0,64} uid=\d{0,10} euid=\d{0,10} tty=\S{0,64} ruser=\S{0,64} rhost=(\S{0,255})/;
const PAM_USER = /^ {1,2}user=/;

const pam: SourceFormat = {
  name: "pam",
  locate(line) {
    const match = PAM_FAILURE.exec(line.whole.slice(0, 2048));
    if (match === null) return undefined;
    const end = match.index + match[0].length;
    const user = PAM_USER.exec(line.whole.slice(end, end + 8));
    return {
      client: match[1] ?? null,
      user: user === null ? undefined : userBetween(line, end + user[0].length, line.whole.length),
      outcome: "failure",
    };
  },
};

// klogind and login (util-linux, shadow) write the client straight after their own words.
const KLOGIND = /^(?:(Authentication failed|Kerberos authentication failed)|Connection) from (\S{1,255}?)(?: \(|:|$)/;
const klogind: SourceFormat = {
  name: "klogind",
  locate(line) {
    const match = matchAtStart(line, KLOGIND);
    return match === undefined
      ? undefined
      : { client: match[2] ?? null, outcome: match[1] === undefined ? undefined : "failure" };
  },
};
const LOGIN_FAILURE = /^FAILED LOGIN (?:\(?\d{1,6}\)? )?(?:on '?[^'\s]{1,64}'? )?FROM '?([^'\s]{1,255})'? FOR /;
const login: SourceFormat = {
  name: "login",
  locate(line) {
    const match = matchAtStart(line, LOGIN_FAILURE);
    return match === undefined ? undefined : { client: match[1] ?? null, outcome: "failure" };
  },
};

// nginx and Apache access logs (common, combined): the client is the first field, the authenticated
// user the third. Both escape quotes in it but not blanks, and a user with a blank does not match.
const ACCESS_LOG = /^(\S{1,255}) \S{1,256} (\S{1,256}) \[[^\]]{1,64}\] "/;
const accessLog: SourceFormat = {
  name: "access-log",
  locate(line) {
    const match = matchAtStart(line, ACCESS_LOG);
    if (match === undefined) return undefined;
    return { client: match[1] ?? null, user: match[2] === "-" ? undefined : match[2] };
  },
};

// Apache error log: `[time] [level] [client 1.2.3.4] ...` (2.2), `[time] [mod:level] [pid n:tid m] [client 1.2.3.4:5555] ...` (2.4).
const APACHE_ERROR = /^\[[^\]]{1,64}\] \[(\w{0,32}:)?\w{1,16}\](?: \[pid [^\]]{1,64}\])? \[client (\S{1,255}?)\]/;
const apacheError: SourceFormat = {
  name: "apache-error",
  locate(line) {
    for (const body of line.bodies) {
      const match = APACHE_ERROR.exec(body);
      if (match?.[2] === undefined) continue;
      if (match[1] === undefined) return { client: match[2] };
      // 2.4 (its level names a module) always writes address:port, even for IPv6 (`::1:54712`).
      const port = /:(\d{1,5})$/.exec(match[2]);
      return port === null ? { client: match[2] } : { client: match[2].slice(0, port.index), port: portOf(port[1]) };
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
    return { client: clients[0]?.[1] ?? null };
  },
};

// PostgreSQL: `LOG:  connection received: host=<addr> port=<n>`, and log_line_prefix's `%r` (`addr(port)`)
// as the last field of the prefix before the severity; the user name (`%u`) comes before it.
const POSTGRES_CONNECTION = /\bLOG: {1,2}connection received: host=(\S{1,255}?)(?: port=(\d{1,5}))?$/;
const POSTGRES_SEVERITY = / (?:LOG|FATAL|ERROR|WARNING|PANIC): {2}/;
// The quoted user is the last thing on the line, so whatever quotes it holds, it runs to the final one.
const POSTGRES_PASSWORD_FAILED = 'password authentication failed for user "';
const POSTGRES_AUTHORIZED = "connection authorized: user=";

/** What PostgreSQL's message says of the account: the user of a failed password, or of an accepted connection when unambiguous. */
function postgresAccount(message: string): Pick<Placement, "user" | "outcome"> {
  if (message.startsWith(POSTGRES_PASSWORD_FAILED) && message.endsWith('"')) {
    return { user: message.slice(POSTGRES_PASSWORD_FAILED.length, -1), outcome: "failure" };
  }
  if (!message.startsWith(POSTGRES_AUTHORIZED)) return {};
  const fields = message.slice(POSTGRES_AUTHORIZED.length);
  const end = fields.indexOf(" database=");
  // A user name holding ` database=` itself leaves no way to tell where it ends.
  const unambiguous = end > 0 && fields.indexOf(" database=", end + 1) === -1;
  return { user: unambiguous ? fields.slice(0, end) : undefined, outcome: "success" };
}

const postgres: SourceFormat = {
  name: "postgresql",
  locate(line) {
    const connection = POSTGRES_CONNECTION.exec(line.tail);
    if (connection !== null) return { client: connection[1] ?? null, port: portOf(connection[2]) };
    const severity = POSTGRES_SEVERITY.exec(line.whole.slice(0, 512));
    if (severity === null) return undefined;
    const prefixTokens = line.whole.slice(0, severity.index).split(" ");
    const remote = /^(?:\S{0,64}@\S{0,64}\s)?(\S{1,255})\((\d{1,5})\)$/.exec(prefixTokens.at(-1) ?? "");
    if (remote === null) return undefined;
    return {
      client: remote[1] ?? null,
      port: portOf(remote[2]),
      ...postgresAccount(line.whole.slice(severity.index + severity[0].length)),
    };
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
const HOST_LABELS =
  /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?){0,126}$/;

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

/** The facts a format read beside the client, only those it wrote; its port only when its client is the source. */
function factsOf(placement: Placement, withPort: boolean): ClientFacts {
  const user = accountName(placement.user);
  return {
    ...(withPort && placement.port !== undefined ? { port: placement.port } : {}),
    ...(user !== undefined ? { user } : {}),
    ...(placement.outcome !== undefined ? { outcome: placement.outcome } : {}),
  };
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
 * in the text, marked inferred. The format's other facts (port, user, outcome) come with it.
 */
export function attributeSource(message: string, structuredIp?: string): SourceAttribution {
  const structured = structuredIp === undefined ? null : addressOf(structuredIp);
  const line = readLine(message);
  for (const format of FORMATS) {
    const placement = format.locate(line);
    if (placement === undefined) continue;
    // A collector's address (a proxy's client) may not be the line's client, whose port that would be.
    const facts = factsOf(placement, structured === null);
    if (structured !== null) return { ip: structured, host: null, inferred: false, format: "structured", ...facts };
    const client =
      placement.client === null || placement.client === ""
        ? { ...NO_SOURCE, format: format.name }
        : attributed(placement.client, format.name);
    return { ...client, ...facts };
  }
  if (structured !== null) return { ip: structured, host: null, inferred: false, format: "structured" };
  const ip = firstAddressIn(message);
  return ip === null ? NO_SOURCE : { ip, host: null, inferred: true, format: null };
}
