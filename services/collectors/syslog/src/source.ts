/** The syslog receiver as the framework's listening source: sockets → intake → Kafka. */
import type { ListenSource } from "@soc/collector-framework";
import { Gauge } from "@soc/shared/telemetry";
import type { SyslogCollectorEnv } from "./config.ts";
import { createIntake } from "./intake.ts";
import { startListeners, syslogMetrics, type ListenerSettings } from "./listeners.ts";

/** How long a shutdown keeps publishing what was taken in (the pod's grace period is 30 s). */
const FLUSH_TIMEOUT_MS = 20_000;

export function listenerSettings(env: SyslogCollectorEnv): ListenerSettings {
  const { SYSLOG_TLS_CERT: cert, SYSLOG_TLS_KEY: key, SYSLOG_TLS_CLIENT_CA: clientCa } = env;
  return {
    transports: env.SYSLOG_TRANSPORTS,
    bindAddress: env.SYSLOG_BIND_ADDRESS,
    ports: { udp: env.SYSLOG_UDP_PORT, tcp: env.SYSLOG_TCP_PORT, tls: env.SYSLOG_TLS_PORT },
    ...(cert === undefined || key === undefined
      ? {}
      : { tls: { cert, key: key.reveal(), ...(clientCa === undefined ? {} : { clientCa }) } }),
    timeZone: env.SYSLOG_TIMEZONE,
    maxMessageBytes: env.SYSLOG_MAX_MESSAGE_BYTES,
    maxConnections: env.SYSLOG_MAX_CONNECTIONS,
    idleTimeoutMs: env.SYSLOG_IDLE_TIMEOUT_SECONDS * 1000,
  };
}

export function syslogSource(settings: ListenerSettings, maxQueued: number): ListenSource {
  return {
    name: "syslog",
    async start({ publish, logger, registry }) {
      const intake = createIntake({
        publish,
        highWater: maxQueued,
        onPublishError: (error, retryInMs) =>
          logger.warn(
            { err: error, queued: intake.queued, retryInMs },
            "Kafka did not take the syslog batch; retrying, stream senders paused once the queue is full",
          ),
      });
      new Gauge({
        name: "syslog_queued",
        help: "Logs taken in and not yet acknowledged by Kafka",
        registers: [registry],
        collect() {
          this.set(intake.queued);
        },
      });
      const listeners = await startListeners(settings, intake, syslogMetrics(registry), logger);
      logger.info(
        { ports: listeners.ports, bindAddress: settings.bindAddress, timeZone: settings.timeZone },
        "syslog listening",
      );
      return {
        async stop() {
          await listeners.close();
          const lost = await intake.flush(FLUSH_TIMEOUT_MS);
          if (lost > 0) logger.error({ lost }, "Kafka did not take these syslog messages before the shutdown deadline");
        },
      };
    },
  };
}
