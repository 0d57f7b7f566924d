/**
 * A parsed syslog message as a `logs` message: the text the worker's formats read
 * (`host program[pid]: message`, the layout of /var/log/auth.log), the sender's time, and the
 * header as ECS fields (host.name, process.name, process.pid, log.syslog.*).
 */
import { MAX_MESSAGE_CHARS, type LogMessage } from "@soc/shared";
import type { SyslogMessage } from "./parse.ts";

// RFC 5424 section 6.2.1, in ECS's lower-case spelling.
const FACILITIES = [
  "kern",
  "user",
  "mail",
  "daemon",
  "auth",
  "syslog",
  "lpr",
  "news",
  "uucp",
  "cron",
  "authpriv",
  "ftp",
  "ntp",
  "security",
  "console",
  "solaris-cron",
  "local0",
  "local1",
  "local2",
  "local3",
  "local4",
  "local5",
  "local6",
  "local7",
] as const;
const SEVERITIES = ["emergency", "alert", "critical", "error", "warning", "notice", "informational", "debug"] as const;

const PID = /^\d{1,10}$/;

export interface Received {
  /** The peer's address, without port. */
  peer?: string;
  /** The sender's message was cut to the size limit. */
  truncated: boolean;
}

/** The SD elements written back as RFC 5424 text, the message of a log that has only structured data. */
function structuredDataText(data: NonNullable<SyslogMessage["structuredData"]>): string {
  const escape = (value: string): string => value.replace(/[\\"\]]/g, (char) => `\\${char}`);
  return Object.entries(data)
    .map(
      ([id, params]) =>
        `[${[id, ...Object.entries(params).map(([name, value]) => `${name}="${escape(value)}"`)].join(" ")}]`,
    )
    .join("");
}

/** The record without its undefined fields, so none reaches the JSON. */
function present<T extends Record<string, unknown>>(record: T): Partial<T> {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined)) as Partial<T>;
}

/** `host program[pid]: text`, each part only when the sender wrote it. */
function messageText({ hostname, appName, procId, text, structuredData }: SyslogMessage): string {
  const program = appName === undefined ? "" : `${appName}${procId === undefined ? "" : `[${procId}]`}: `;
  // A message may carry only structured data; the text must not be empty.
  const body = text.trim() !== "" ? text : structuredData === undefined ? "-" : structuredDataText(structuredData);
  return `${hostname === undefined ? "" : `${hostname} `}${program}${body}`.slice(0, MAX_MESSAGE_CHARS);
}

export function toLogMessage(syslog: SyslogMessage, received: Received): LogMessage {
  const { hostname, appName, procId } = syslog;
  const pid = procId !== undefined && PID.test(procId) ? Number(procId) : undefined;
  const process = present({ name: appName, pid });
  return {
    message: messageText(syslog),
    source: "syslog",
    ...present({
      timestamp: syslog.timestamp,
      host: hostname === undefined ? undefined : { name: hostname },
      process: Object.keys(process).length === 0 ? undefined : process,
      tags: received.truncated ? ["truncated"] : undefined,
    }),
    log: {
      ...present({ source: received.peer === undefined ? undefined : { address: received.peer } }),
      syslog: {
        priority: syslog.facility * 8 + syslog.severity,
        facility: { code: syslog.facility, name: FACILITIES[syslog.facility] ?? "unknown" },
        severity: { code: syslog.severity, name: SEVERITIES[syslog.severity] ?? "unknown" },
        ...present({
          version: syslog.version,
          hostname,
          appname: appName,
          procid: procId,
          msgid: syslog.msgId,
          structured_data: syslog.structuredData,
        }),
      },
    },
  };
}
