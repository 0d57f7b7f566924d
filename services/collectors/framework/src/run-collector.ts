/**
 * The one entry point of every collector process. A collector names its configuration parser and
 * its sources (a pull source, a drain, or both); the rest is the same for all of them:
 * - one Kafka bus, and one port serving /healthz, /readyz ("can publish": the bus answers),
 *   /metrics and the drain if there is one; a listening source's own sockets beside it;
 * - the pull loop, one round every poll interval, its cursor in a file;
 * - one shutdown order: stop taking work (close the port, end the wait between rounds), let what
 *   is in flight finish (drain requests, the running round), then close the bus, so every log
 *   acknowledged to a sender or saved past in a cursor was published.
 * Signals and exit codes belong to `runCollector` alone; `startCollector` hands back a `stop()`.
 */
import { once } from "node:events";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createLogger, onShutdownSignal, topicsFromEnv, type Logger, type LogMessage, type Secret } from "@soc/shared";
import { createKafkaBus, kafkaConnectionOf, type KafkaSecurityEnv } from "@soc/shared/kafka";
import { createRegistry, startTracing } from "@soc/shared/telemetry";
import { busRecord } from "./bus-record.ts";
import { fileCursorStore } from "./cursor-store.ts";
import { drainHandler, drainServer, type DrainServerLimits, type DrainSource } from "./drain.ts";
import type { ListenSource } from "./listen.ts";
import { drainCollectorListener } from "./ops.ts";
import { collectorMetrics, createPullCollector, pollUntilStopped, type PullSource } from "./pull.ts";

/** The settings every collector's schema has (kafkaEnvShape, tracingEnvShape, topicEnvShape, LOG_LEVEL, COLLECTOR_PORT); drain limits where it receives. */
export type CollectorEnv = KafkaSecurityEnv &
  Parameters<typeof topicsFromEnv>[0] & {
    OTEL_EXPORTER_OTLP_ENDPOINT?: string;
    OTEL_EXPORTER_OTLP_HEADERS?: Secret;
    KAFKA_BROKER: string;
    LOG_LEVEL: string;
    COLLECTOR_PORT: number;
    DRAIN_MAX_BODY_BYTES?: number;
    DRAIN_MAX_CONNECTIONS?: number;
  };

export interface CollectorSources {
  pull?: { source: PullSource; cursorFile: string; intervalSeconds: number };
  /** Served on the collector's port beside the ops endpoints. */
  drain?: DrainSource;
  /** Receives on its own sockets; stopped (what it took in published) before the bus closes. */
  listen?: ListenSource;
}

export interface CollectorDefinition<Env extends CollectorEnv> {
  /** Short name ("postgres"): the logger, the metrics registry and the Kafka client are named collector-<name>. */
  name: string;
  parseEnv(env: Record<string, string | undefined>): Env;
  sources(env: Env): CollectorSources;
}

export interface RunningCollector {
  /** The port listened on (COLLECTOR_PORT, or the one picked for 0). */
  port: number;
  logger: Logger;
  /** Stops taking work, lets what is in flight finish, then closes the bus. Calling it again returns the same promise. */
  stop(): Promise<void>;
}

function serverLimits(env: CollectorEnv): Partial<DrainServerLimits> {
  return env.DRAIN_MAX_CONNECTIONS === undefined ? {} : { maxConnections: env.DRAIN_MAX_CONNECTIONS };
}

async function listen(server: Server, port: number): Promise<number> {
  server.listen(port);
  // A taken port fails here ("error" before "listening"), which makes the start fail.
  await once(server, "listening");
  return (server.address() as AddressInfo).port;
}

function closeServer(server: Server): Promise<void> {
  // close() stops accepting and resolves once the requests in flight are answered.
  return new Promise((resolve) => server.close(() => resolve()));
}

export async function startCollector<Env extends CollectorEnv>(
  definition: CollectorDefinition<Env>,
  env: Env,
): Promise<RunningCollector> {
  const service = `collector-${definition.name}`;
  const { pull, drain, listen: listener } = definition.sources(env);
  const logger = createLogger(service, env.LOG_LEVEL);
  // Started before the bus, so the bus's send spans are recorded.
  const tracing = startTracing(`soc-${service}`, env.OTEL_EXPORTER_OTLP_ENDPOINT, env.OTEL_EXPORTER_OTLP_HEADERS);
  await tracing.ready;
  const registry = createRegistry(service);
  const metrics = collectorMetrics(registry);
  const bus = createKafkaBus({ ...kafkaConnectionOf(env), clientId: `soc-${service}`, logger });
  const topic = topicsFromEnv(env).logs;
  const onPublished = (count: number): void => void metrics.published.inc({ source: definition.name }, count);
  const drainListener =
    drain === undefined
      ? null
      : drainHandler({ source: drain, bus, topic, maxBodyBytes: env.DRAIN_MAX_BODY_BYTES, onPublished });
  const server = drainServer(
    drainCollectorListener({ registry, ready: () => bus.ping() }, drainListener),
    serverLimits(env),
  );
  const publish = async (logs: LogMessage[]): Promise<void> => {
    try {
      await bus.publish(topic, logs.map(busRecord));
    } catch (error) {
      metrics.errors.inc({ source: definition.name });
      throw error;
    }
    onPublished(logs.length);
  };
  let port: number;
  let listening: { stop(): Promise<void> } | undefined;
  try {
    port = await listen(server, env.COLLECTOR_PORT);
    listening = await listener?.start({ publish, logger, registry });
  } catch (error) {
    await closeServer(server);
    await bus.close();
    throw error;
  }
  logger.info(
    { port, pull: pull?.source.name ?? null, drain: drain !== undefined, listen: listener?.name ?? null },
    "collector listening",
  );

  const stopping = new AbortController();
  const polling =
    pull === undefined
      ? Promise.resolve()
      : pollUntilStopped(
          createPullCollector({
            source: pull.source,
            bus,
            cursors: fileCursorStore(pull.cursorFile),
            logger,
            metrics,
            topic,
          }),
          pull.intervalSeconds,
          stopping.signal,
        );
  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopped ??= (async () => {
      stopping.abort();
      await Promise.all([closeServer(server), polling, listening?.stop()]);
      await bus.close();
      await tracing.shutdown();
    })());
  return { port, logger, stop };
}

/**
 * A collector's main: configuration from the environment, start, stop once on SIGTERM/SIGINT (a
 * repeated signal does not cut the shutdown short) and exit 0; exit 1 when it cannot start (bad
 * configuration, port taken) or the shutdown fails.
 */
export function runCollector<Env extends CollectorEnv>(definition: CollectorDefinition<Env>): void {
  const starting = Promise.resolve().then(() => startCollector(definition, definition.parseEnv(process.env)));
  starting.catch((error: unknown) => {
    createLogger(`collector-${definition.name}`).fatal({ err: error }, "collector could not start");
    process.exit(1);
  });
  onShutdownSignal(async (signal) => {
    const running = await starting;
    running.logger.info({ signal }, "shutting down");
    await running.stop();
  });
}
