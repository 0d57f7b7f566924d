/**
 * The Elastic Common Schema fields of a processed document, from what the detection core already read
 * (source.ts: client, port, user, outcome) and what the collector sent (host, process), so Kibana's
 * and other ECS tools' views (authentications, hosts) read our documents. Pure.
 *
 * ECS `source.*` cannot be used: the contract's `source` is the log source's name (docs/contract.md),
 * so the remote party is `client.*`, as for the enrichment.
 */
import type { ClientEnrichment, DocumentClient, LogMessage, ProcessedLog } from "@soc/shared";
import type { LogFeatures } from "../detection/features.ts";

export type EcsFields = Pick<ProcessedLog, "client" | "user" | "event" | "host" | "process">;

// `<PRI>`, the time (RFC 3164's `Mmm dd hh:mm:ss`, a blank padding the day, or the RFC 3339 time rsyslog
// forwards instead), the host (an address, IPv6 too, or a name, never ending in the tag's colon), then `program[pid]: `.
const SYSLOG_HEADER =
  /^(?:<\d{1,3}>)?(?:[A-Z][a-z]{2} [ \d]\d \d{2}:\d{2}:\d{2}|\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})) ([^\s[\]]{1,255})(?<!:) ([\w./()-]{1,64})(?:\[(\d{1,10})\])?: /;
// Without a time only `program[pid]: ` is a header: `word: ` alone is as often the start of a message (`error: `).
const PROGRAM_WITH_PID = /^(?:<\d{1,3}>)?([\w./()-]{1,64})\[(\d{1,10})\]: /;

export interface SyslogHeader {
  host?: string;
  program: string;
  pid?: number;
}

/** The host, program and pid of a line sent as written to a syslog file (`Dec 10 06:55:46 LabSZ sshd[24200]: …`). */
export function syslogHeaderOf(message: string): SyslogHeader | null {
  const head = message.slice(0, 512);
  const full = SYSLOG_HEADER.exec(head);
  if (full !== null)
    return {
      host: full[1] as string,
      program: full[2] as string,
      ...(full[3] !== undefined ? { pid: Number(full[3]) } : {}),
    };
  const bare = PROGRAM_WITH_PID.exec(head);
  return bare === null ? null : { program: bare[1] as string, pid: Number(bare[2]) };
}

/** The collector's host and process blocks when it sent them (they come from the syslog header it parsed), else the line's header. */
function originOf(log: LogMessage): Pick<EcsFields, "host" | "process"> {
  const header = log.host === undefined || log.process === undefined ? syslogHeaderOf(log.message) : null;
  const host = log.host?.name ?? header?.host;
  const process =
    log.process ??
    (header === null ? undefined : { name: header.program, ...(header.pid !== undefined ? { pid: header.pid } : {}) });
  return { ...(host !== undefined ? { host: { name: host } } : {}), ...(process !== undefined ? { process } : {}) };
}

/**
 * Only a placed address is ECS's client: one found somewhere in free text may be any party (a server, a
 * victim), so it stays `source_ip` with `source_ip_inferred`. The port goes with a placed client only.
 */
function clientOf(features: LogFeatures): DocumentClient | undefined {
  const ip = features.ip !== null && !features.ipInferred ? features.ip : null;
  if (ip === null && features.host === null) return undefined;
  return {
    ...(ip !== null ? { ip } : {}),
    ...(features.host !== null ? { domain: features.host } : {}),
    ...(features.port !== undefined ? { port: features.port } : {}),
  };
}

/**
 * An authentication attempt (ECS `event.category: authentication`, `type: start`, as Winlogbeat writes
 * Windows logons) when the line's format reports its result, or when the brute-force rule counts the
 * line as a failed login, so every counted failure is found by `event.outcome: failure`.
 */
function eventOf(features: LogFeatures): EcsFields["event"] {
  const outcome = features.outcome ?? (features.failedLogin !== null ? "failure" : undefined);
  return outcome === undefined ? undefined : { category: ["authentication"], type: ["start"], outcome };
}

export function ecsFieldsOf(log: LogMessage, features: LogFeatures): EcsFields {
  const client = clientOf(features);
  const event = eventOf(features);
  return {
    ...(client !== undefined ? { client } : {}),
    ...(features.user !== undefined ? { user: { name: features.user } } : {}),
    ...(event !== undefined ? { event } : {}),
    ...originOf(log),
  };
}

/** The enrichment part of a document's client (country, network), as alerts carry it. */
export function clientLocationOf(client: DocumentClient | undefined): ClientEnrichment | undefined {
  if (client === undefined) return undefined;
  const { geo, as, network } = client;
  if (geo === undefined && as === undefined && network === undefined) return undefined;
  return {
    ...(geo !== undefined ? { geo } : {}),
    ...(as !== undefined ? { as } : {}),
    ...(network !== undefined ? { network } : {}),
  };
}
