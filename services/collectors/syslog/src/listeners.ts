/**
 * The sockets: UDP (one datagram, one message), TCP and TLS (RFC 6587 / RFC 5425 framing). Limits
 * per connection (buffer, idle time) and per listener (connections, TLS handshake time) keep a
 * sender from holding memory or sockets; backpressure pauses every stream while Kafka lags.
 */
import { createSocket, type Socket as UdpSocket } from "node:dgram";
import { once } from "node:events";
import { createServer as createTcpServer, isIPv6, type AddressInfo, type Server, type Socket } from "node:net";
import { createServer as createTlsServer } from "node:tls";
import type { Logger, LogMessage } from "@soc/shared";
import { Counter, Gauge, type Registry } from "@soc/shared/telemetry";
import type { Transport } from "./config.ts";
import { toLogMessage } from "./ecs.ts";
import { createDeframer, type Frame } from "./framing.ts";
import type { Intake } from "./intake.ts";
import { parseSyslog } from "./parse.ts";

export interface TlsSettings {
  cert: string;
  key: string;
  /** Senders must present a certificate this CA signed. */
  clientCa?: string;
}

export interface ListenerSettings {
  transports: readonly Transport[];
  bindAddress: string;
  ports: Record<Transport, number>;
  tls?: TlsSettings;
  timeZone: string;
  maxMessageBytes: number;
  maxConnections: number;
  idleTimeoutMs: number;
  handshakeTimeoutMs?: number;
  /** How long a stop waits for open connections to close on their own. */
  closeGraceMs?: number;
}

export interface SyslogListeners {
  /** The ports listened on, by transport (the ones picked for 0 included). */
  ports: Partial<Record<Transport, number>>;
  /** Stops accepting, closes the connections and sockets; what was read is in the intake. */
  close(): Promise<void>;
}

export function syslogMetrics(registry: Registry) {
  const labelNames = ["transport"];
  return {
    received: new Counter({
      name: "syslog_messages_received_total",
      help: "Syslog messages read from a socket",
      labelNames,
      registers: [registry],
    }),
    refused: new Counter({
      name: "syslog_messages_refused_total",
      help: "Messages that are not syslog (no PRI, malformed RFC 5424 header)",
      labelNames,
      registers: [registry],
    }),
    truncated: new Counter({
      name: "syslog_messages_truncated_total",
      help: "Messages cut to SYSLOG_MAX_MESSAGE_BYTES",
      labelNames,
      registers: [registry],
    }),
    dropped: new Counter({
      name: "syslog_messages_dropped_total",
      help: "Datagrams dropped while the queue to Kafka was full",
      labelNames,
      registers: [registry],
    }),
    connections: new Gauge({
      name: "syslog_connections",
      help: "Open TCP and TLS connections",
      labelNames,
      registers: [registry],
    }),
    framingErrors: new Counter({
      name: "syslog_framing_errors_total",
      help: "Connections closed for a broken octet count",
      labelNames,
      registers: [registry],
    }),
  };
}
export type SyslogMetrics = ReturnType<typeof syslogMetrics>;

interface Receiver {
  settings: ListenerSettings;
  intake: Intake;
  metrics: SyslogMetrics;
  logger: Logger;
}

/** A frame to a log, or null (counted, logged at debug) when it is not syslog. */
function receive(receiver: Receiver, transport: Transport, frame: Frame, peer: string | undefined): LogMessage | null {
  const { metrics, settings } = receiver;
  metrics.received.inc({ transport });
  if (frame.truncated) metrics.truncated.inc({ transport });
  const parsed = parseSyslog(frame.bytes.toString("utf8"), { timeZone: settings.timeZone, nowMs: Date.now() });
  if (!parsed.ok) {
    metrics.refused.inc({ transport });
    receiver.logger.debug({ transport, peer, reason: parsed.reason }, "refused a message that is not syslog");
    return null;
  }
  return toLogMessage(parsed.message, { ...(peer === undefined ? {} : { peer }), truncated: frame.truncated });
}

async function listenUdp(receiver: Receiver): Promise<{ socket: UdpSocket; port: number }> {
  const { settings, intake, metrics } = receiver;
  const socket = createSocket({ type: isIPv6(settings.bindAddress) ? "udp6" : "udp4" });
  socket.on("message", (datagram, remote) => {
    const truncated = datagram.length > settings.maxMessageBytes;
    const log = receive(
      receiver,
      "udp",
      { bytes: truncated ? datagram.subarray(0, settings.maxMessageBytes) : datagram, truncated },
      remote.address,
    );
    if (log !== null && !intake.offer(log)) metrics.dropped.inc({ transport: "udp" });
  });
  socket.on("error", (error) => receiver.logger.error({ err: error }, "syslog UDP socket error"));
  socket.bind(settings.ports.udp, settings.bindAddress);
  await Promise.race([
    once(socket, "listening"),
    once(socket, "error").then(([error]) => Promise.reject(error as Error)),
  ]);
  return { socket, port: socket.address().port };
}

/** One TCP or TLS connection: frames to logs; paused while the intake is congested. */
function serveStream(receiver: Receiver, transport: "tcp" | "tls", socket: Socket, paused: Set<Socket>): void {
  const { settings, intake, metrics, logger } = receiver;
  const peer = socket.remoteAddress;
  const deframer = createDeframer(settings.maxMessageBytes);
  const take = (frames: Frame[]): void => {
    for (const frame of frames) {
      const log = receive(receiver, transport, frame, peer);
      if (log !== null) intake.push(log);
    }
  };
  metrics.connections.inc({ transport });
  socket.setTimeout(settings.idleTimeoutMs, () => {
    logger.debug({ transport, peer }, "closing an idle syslog connection");
    socket.destroy();
  });
  socket.on("data", (chunk: Buffer) => {
    const { frames, error } = deframer.push(chunk);
    take(frames);
    if (error !== undefined) {
      metrics.framingErrors.inc({ transport });
      logger.warn({ transport, peer, reason: error }, "closing a syslog connection whose framing broke");
      socket.destroy();
      return;
    }
    if (intake.congested) {
      socket.pause();
      paused.add(socket);
    }
  });
  socket.on("end", () => {
    take(deframer.end());
    socket.end();
  });
  socket.on("error", (error) => logger.debug({ err: error, transport, peer }, "syslog connection error"));
  socket.on("close", () => {
    paused.delete(socket);
    metrics.connections.dec({ transport });
  });
}

async function listenStream(
  receiver: Receiver,
  transport: "tcp" | "tls",
  paused: Set<Socket>,
): Promise<{ server: Server; port: number; sockets: Set<Socket> }> {
  const { settings } = receiver;
  const sockets = new Set<Socket>();
  const track = (socket: Socket): void => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    serveStream(receiver, transport, socket, paused);
  };
  let server: Server;
  if (transport === "tls") {
    const tls = settings.tls;
    if (tls === undefined) throw new Error("tls needs a certificate and key");
    const mutual = tls.clientCa !== undefined;
    server = createTlsServer(
      {
        cert: tls.cert,
        key: tls.key,
        minVersion: "TLSv1.2",
        handshakeTimeout: settings.handshakeTimeoutMs ?? 10_000,
        ...(mutual ? { ca: tls.clientCa, requestCert: true, rejectUnauthorized: true } : {}),
      },
      track,
    );
    server.on("tlsClientError", (error, socket) =>
      receiver.logger.debug({ err: error, peer: socket.remoteAddress }, "syslog TLS handshake failed"),
    );
  } else {
    server = createTcpServer(track);
  }
  // Connections past the cap are closed at once; with the buffer cap it bounds the memory (256 × 64 KiB).
  server.maxConnections = settings.maxConnections;
  server.listen(settings.ports[transport], settings.bindAddress);
  await Promise.race([
    once(server, "listening"),
    once(server, "error").then(([error]) => Promise.reject(error as Error)),
  ]);
  return { server, port: (server.address() as AddressInfo).port, sockets };
}

export async function startListeners(
  settings: ListenerSettings,
  intake: Intake,
  metrics: SyslogMetrics,
  logger: Logger,
): Promise<SyslogListeners> {
  const receiver: Receiver = { settings, intake, metrics, logger };
  const paused = new Set<Socket>();
  intake.onDrain(() => {
    for (const socket of paused) socket.resume();
    paused.clear();
  });
  const ports: Partial<Record<Transport, number>> = {};
  const closers: (() => Promise<void>)[] = [];
  try {
    for (const transport of settings.transports) {
      if (transport === "udp") {
        const { socket, port } = await listenUdp(receiver);
        ports.udp = port;
        closers.push(() => new Promise((resolve) => socket.close(() => resolve())));
      } else {
        const { server, port, sockets } = await listenStream(receiver, transport, paused);
        ports[transport] = port;
        closers.push(() => closeStreams(server, sockets, settings.closeGraceMs ?? 2_000));
      }
    }
  } catch (error) {
    await Promise.all(closers.map((close) => close()));
    throw error;
  }
  return { ports, close: async () => void (await Promise.all(closers.map((close) => close()))) };
}

/** Stops accepting; asks open connections to finish (FIN), then cuts those still open after `graceMs`. */
async function closeStreams(server: Server, sockets: Set<Socket>, graceMs: number): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  for (const socket of sockets) {
    socket.resume();
    socket.end();
  }
  const timer = setTimeout(() => {
    for (const socket of sockets) socket.destroy();
  }, graceMs);
  await closed;
  clearTimeout(timer);
}
