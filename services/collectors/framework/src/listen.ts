/**
 * A source that receives on sockets of its own (syslog over UDP, TCP and TLS) beside the
 * collector's HTTP port. The framework hands it a publish function and stops it before the bus
 * closes, so everything it took in is published first.
 */
import type { Logger, LogMessage } from "@soc/shared";
import type { Registry } from "@soc/shared/telemetry";

export interface ListenContext {
  /** Publishes to `logs` and counts them; resolves once Kafka acknowledged, rejects when it cannot. */
  publish(logs: LogMessage[]): Promise<void>;
  logger: Logger;
  /** For the source's own metrics, beside collector_*. */
  registry: Registry;
}

export interface ListenSource {
  name: string;
  /** Opens the sockets; resolves once all of them listen, rejects when one cannot (port taken). */
  start(context: ListenContext): Promise<{ stop(): Promise<void> }>;
}
