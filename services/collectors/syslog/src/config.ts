/** Syslog collector configuration, parsed once from the environment in main(). */
import { isIP } from "node:net";
import { z } from "zod";
import { commaList, logLevel, parseConfig, port, positiveInt, secretString, topicEnvShape } from "@soc/shared";
import { checkKafkaEnv, kafkaEnvShape } from "@soc/shared/kafka";
import { tracingEnvShape } from "@soc/shared/telemetry";
import { isTimeZone } from "./time.ts";

export const TRANSPORTS = ["udp", "tcp", "tls"] as const;
export type Transport = (typeof TRANSPORTS)[number];

/** RFC 5425 asks receivers to take at least 2 KiB and should take 8 KiB; 64 KiB fits any real line. */
export const DEFAULT_MAX_MESSAGE_BYTES = 64 * 1024;

const pem = (what: string, marker: string) =>
  z
    .string()
    .refine(
      (text) => text.includes(`-----BEGIN ${marker}`),
      `expected a PEM ${what} (-----BEGIN ${marker}...), inline or from the _FILE path`,
    );

export const syslogCollectorEnvSchema = z
  .object({
    ...kafkaEnvShape,
    ...tracingEnvShape,
    SYSLOG_TRANSPORTS: commaList
      .pipe(z.array(z.enum(TRANSPORTS)).min(1, "name at least one of udp, tcp, tls"))
      .default(["udp", "tcp"]),
    SYSLOG_BIND_ADDRESS: z
      .string()
      .refine((address) => isIP(address) !== 0, "expected an IP address to listen on (0.0.0.0, ::)")
      .default("0.0.0.0"),
    SYSLOG_UDP_PORT: port.default(5514),
    SYSLOG_TCP_PORT: port.default(5514),
    SYSLOG_TLS_PORT: port.default(6514),
    /** Server certificate chain and key for tls (RFC 5425), usually SYSLOG_TLS_CERT_FILE and SYSLOG_TLS_KEY_FILE. */
    SYSLOG_TLS_CERT: pem("certificate", "CERTIFICATE").optional(),
    SYSLOG_TLS_KEY: pem("private key", "").pipe(secretString).optional(),
    /** When set, senders must present a certificate this CA signed (mutual TLS). */
    SYSLOG_TLS_CLIENT_CA: pem("CA certificate", "CERTIFICATE").optional(),
    /** Zone of RFC 3164 timestamps, which carry none. */
    SYSLOG_TIMEZONE: z.string().refine(isTimeZone, "expected an IANA time zone (UTC, Europe/Berlin)").default("UTC"),
    SYSLOG_MAX_MESSAGE_BYTES: positiveInt
      .max(1024 * 1024, "expected at most 1048576")
      .default(DEFAULT_MAX_MESSAGE_BYTES),
    SYSLOG_MAX_CONNECTIONS: positiveInt.default(256),
    SYSLOG_IDLE_TIMEOUT_SECONDS: positiveInt.default(600),
    /** Logs taken in but not yet acknowledged by Kafka: above it stream senders are paused and datagrams dropped. */
    SYSLOG_MAX_QUEUED: positiveInt.default(10_000),
    COLLECTOR_PORT: port.default(9474),
    LOG_LEVEL: logLevel,
    ...topicEnvShape,
  })
  .superRefine(checkKafkaEnv)
  .superRefine((env, ctx) => {
    const tls = env.SYSLOG_TRANSPORTS.includes("tls");
    for (const key of ["SYSLOG_TLS_CERT", "SYSLOG_TLS_KEY"] as const) {
      if (tls && env[key] === undefined)
        ctx.addIssue({
          code: "custom",
          path: [key],
          message: `required with tls in SYSLOG_TRANSPORTS (or ${key}_FILE)`,
        });
    }
    for (const key of ["SYSLOG_TLS_CERT", "SYSLOG_TLS_KEY", "SYSLOG_TLS_CLIENT_CA"] as const) {
      if (!tls && env[key] !== undefined)
        ctx.addIssue({ code: "custom", path: [key], message: "set, but SYSLOG_TRANSPORTS has no tls: add it" });
    }
    const streams = env.SYSLOG_TRANSPORTS.filter((transport) => transport !== "udp");
    if (streams.length === 2 && env.SYSLOG_TCP_PORT === env.SYSLOG_TLS_PORT && env.SYSLOG_TCP_PORT !== 0)
      ctx.addIssue({ code: "custom", path: ["SYSLOG_TLS_PORT"], message: "tcp and tls need different ports" });
  });
export type SyslogCollectorEnv = z.output<typeof syslogCollectorEnvSchema>;

export function parseSyslogCollectorEnv(env: Record<string, string | undefined>): SyslogCollectorEnv {
  return parseConfig(syslogCollectorEnvSchema, env);
}
