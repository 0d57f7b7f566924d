// The sockets' limits, on real loopback sockets, with the queue's publish held by the test so a
// slow Kafka can be played: backpressure, idle and connection caps, oversized and broken frames.
import { createSocket } from "node:dgram";
import { once } from "node:events";
import { createConnection, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { silentLogger, type LogMessage } from "@soc/shared";
import { createRegistry } from "@soc/shared/telemetry";
import { eventually } from "@soc/shared/testing";
import { createIntake } from "./intake.ts";
import { startListeners, syslogMetrics, type ListenerSettings, type SyslogListeners } from "./listeners.ts";

const BASE: ListenerSettings = {
  transports: ["udp", "tcp"],
  bindAddress: "127.0.0.1",
  ports: { udp: 0, tcp: 0, tls: 0 },
  timeZone: "UTC",
  maxMessageBytes: 1024,
  maxConnections: 8,
  idleTimeoutMs: 60_000,
  closeGraceMs: 200,
};

/** A publish that takes batches only while open. */
function gate() {
  const published: LogMessage[] = [];
  let open = true;
  let waiters: (() => void)[] = [];
  return {
    published,
    close: () => void (open = false),
    open: () => {
      open = true;
      for (const wake of waiters) wake();
      waiters = [];
    },
    async publish(logs: LogMessage[]) {
      while (!open) await new Promise<void>((resolve) => waiters.push(resolve));
      published.push(...logs);
    },
  };
}

let running: SyslogListeners | undefined;
const sockets: Socket[] = [];
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await running?.close();
  running = undefined;
});

async function start(settings: Partial<ListenerSettings>, highWater = 10_000) {
  const bus = gate();
  const registry = createRegistry("syslog-test", { defaultMetrics: false });
  const intake = createIntake({ publish: (logs) => bus.publish(logs), highWater, batchSize: 50 });
  running = await startListeners({ ...BASE, ...settings }, intake, syslogMetrics(registry), silentLogger());
  return { bus, intake, registry, ports: running.ports };
}

async function connect(port: number | undefined): Promise<Socket> {
  const socket = createConnection({ host: "127.0.0.1", port: port ?? 0 });
  sockets.push(socket);
  await once(socket, "connect");
  return socket;
}

const line = (n: number): string => `<13>Mar 10 06:55:46 host app[${n}]: message number ${n} ${"x".repeat(60)}\n`;

describe("syslog listeners", () => {
  it("pause a TCP sender while Kafka is slow, then publish everything in order once it catches up", async () => {
    const { bus, intake, ports } = await start({}, 200);
    bus.close();
    const socket = await connect(ports.tcp);
    // About 13 MB: more than loopback's socket buffers hold, so the sender is left holding some.
    const total = 100_000;
    let text = "";
    for (let n = 0; n < total; n++) text += line(n);
    socket.write(text);
    // The collector stops reading: the rest waits in the kernel's and the sender's buffers.
    await eventually(() => expect(intake.congested).toBe(true));
    await new Promise((resolve) => setTimeout(resolve, 300));
    const heldAtMost = intake.queued;
    expect(heldAtMost).toBeLessThan(total / 4);
    expect(socket.writableLength).toBeGreaterThan(0);
    bus.open();
    await eventually(() => expect(bus.published).toHaveLength(total), { timeoutMs: 20_000 });
    expect(bus.published.map((log) => log.process?.pid)).toEqual(Array.from({ length: total }, (_, n) => n));
  });

  it("drop datagrams while the queue is full, and count them", async () => {
    const { bus, registry, ports } = await start({}, 5);
    bus.close();
    const udp = createSocket("udp4");
    for (let n = 0; n < 20; n++) udp.send(line(n), ports.udp, "127.0.0.1");
    await eventually(async () =>
      expect(await registry.getSingleMetricAsString("syslog_messages_dropped_total")).toMatch(
        /transport="udp"[^}]*\} (1[0-9]|20)\b/,
      ),
    );
    udp.close();
    bus.open();
    await eventually(() => expect(bus.published.length).toBeGreaterThanOrEqual(5));
    expect(bus.published.length).toBeLessThan(20);
  });

  it("close an idle connection, and connections past the cap", async () => {
    const { ports } = await start({ idleTimeoutMs: 200, maxConnections: 2 });
    const first = await connect(ports.tcp);
    const closedFirst = once(first, "close");
    await connect(ports.tcp);
    const third = await connect(ports.tcp);
    await once(third, "close");
    const started = Date.now();
    await closedFirst;
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it("cut a message over the limit, tag it truncated, and go on with the next one", async () => {
    const { bus, ports } = await start({ maxMessageBytes: 120 });
    const socket = await connect(ports.tcp);
    socket.end(`<13>Mar 10 06:55:46 host app[1]: ${"y".repeat(5000)}\n${line(2)}`);
    await eventually(() => expect(bus.published).toHaveLength(2));
    expect(bus.published[0]).toMatchObject({ tags: ["truncated"], process: { pid: 1 } });
    expect(bus.published[0]?.message).toBe(
      `host app[1]: ${"y".repeat(120 - "<13>Mar 10 06:55:46 host app[1]: ".length)}`,
    );
    expect(bus.published[1]?.tags).toBeUndefined();
  });

  it("close a connection whose octet count breaks, keeping the frames before it", async () => {
    const { bus, registry, ports } = await start({});
    const socket = await connect(ports.tcp);
    const message = line(7).trimEnd();
    socket.write(`${message.length} ${message}garbage`);
    await once(socket, "close");
    expect(bus.published.map((log) => log.process?.pid)).toEqual([7]);
    expect(await registry.getSingleMetricAsString("syslog_framing_errors_total")).toMatch(/transport="tcp"[^}]*\} 1\b/);
  });

  it("refuse to start on a taken port, closing what it opened", async () => {
    const { ports } = await start({});
    const registry = createRegistry("syslog-test-2", { defaultMetrics: false });
    const intake = createIntake({ publish: async () => undefined, highWater: 10 });
    await expect(
      startListeners(
        { ...BASE, ports: { udp: 0, tcp: ports.tcp ?? 0, tls: 0 } },
        intake,
        syslogMetrics(registry),
        silentLogger(),
      ),
    ).rejects.toThrow(/EADDRINUSE/);
  });
});
