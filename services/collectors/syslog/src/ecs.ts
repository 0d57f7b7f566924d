/**
 * A parsed syslog message as a `logs` message: the text the worker's formats read
 * (`host program[pid]: message`, the layout of /var/log/auth.log), the sender's time, and the
 * header as ECS fields (host.name, process.name, process.pid, log.syslog.*).
 */
import { MAX_MESSAGE_CHARS, type LogMessage } from "@soc/shared";
import type { SyslogMessage } from "./parse.ts";

// RFC 5424 section 6.2.1, in ECS's lower-case spelling.
const FACILITIES = ["kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news", "uucp", "cron", "authpriv", "ftp", "ntp", "security", "console", "solaris-cron", "local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7"] as const;
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
    .map(([id, params]) => `[${[id, ...Object.entries(params).map(([name, value]) => `${name}="${escape(value)}"`)].join(" ")}]`)
    .join("");
}

export function toLogMessage(syslog: SyslogMessage, received: Received): LogMessage {
  const { hostname, appName, procId, msgId, structuredData } = syslog;
  const pid = procId !== undefined && PID.test(procId) ? Number(procId) : undefined;
  const program = appName === undefined ? "" : `${appName}${procId === undefined ? "" : `[${procId}]`}: `;
  const body = syslog.text.trim() !== "" ? syslog.text : structuredData === undefined ? "-" : structuredDataText(structuredData);
  const message = `${hostname === undefined ? "" : `${hostname} `}${program}${body}`.slice(0, MAX_MESSAGE_CHARS);
  return {
    message,
    ...(syslog.timestamp === undefined ? {} : { timestamp: syslog.timestamp }),
    source: "syslog",
    ...(hostname === undefined ? {} : { host: { name: hostname } }),
    ...(appName === undefined && pid === undefined ? {} : { process: { ...(appName === undefined ? {} : { name: appName }), ...(pid === undefined ? {} : { pid }) } }),
    log: {
      ...(received.peer === undefined ? {} : { source: { address: received.peer } }),
      syslog: {
        priority: syslog.facility * 8 + syslog.severity,
        facility: { code: syslog.facility, name: FACILITIES[syslog.facility] ?? "unknown" },
        severity: { code: syslog.severity, name: SEVERITIES[syslog.severity] ?? "unknown" },
        ...(syslog.version === undefined ? {} : { version: syslog.version }),
        ...(hostname === undefined ? {} : { hostname }),
        ...(appName === undefined ? {} : { appname: appName }),
        ...(procId === undefined ? {} : { procid: procId }),
        ...(msgId === undefined ? {} : { msgid: msgId }),
        ...(structuredData === undefined ? {} : { structured_data: structuredData }),
      },
    },
    ...(received.truncated ? { tags: ["truncated"] } : {}),
  };
}
