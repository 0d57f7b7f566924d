// The collector as its process runs, on the real Kafka: util-linux `logger` sends over UDP, TCP
// (newline and octet-counted) and in both formats; a node:tls client over TLS (RFC 5425). The
// assertions read what reached the topic.
import { spawnSync } from "node:child_process";
import { once } from "node:events";
import { createConnection } from "node:net";
import { hostname } from "node:os";
import { connect } from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LogMessage } from "@soc/shared";
import { eventually, missingInfra } from "@soc/shared/testing";
import { kafkaTopic, serverCertificate, spawnMain, startMain, type RunningMain } from "./testing/harness.ts";

function logger(args: string[]): void {
  const run = spawnSync("logger", args, { encoding: "utf8" });
  if (run.status !== 0) throw new Error(`logger ${args.join(" ")}: ${run.stderr}`);
}

describe("the syslog collector process", () => {
  it("exits 1 naming a bad setting", async () => {
    const main = spawnMain({ SYSLOG_TRANSPORTS: "udp,tls", SYSLOG_TIMEZONE: "Mars/Olympus" });
    expect(await main.exited).toBe(1);
    expect(main.output()).toContain("SYSLOG_TIMEZONE: expected an IANA time zone");
    expect(main.output()).toContain("SYSLOG_TLS_CERT: required with tls in SYSLOG_TRANSPORTS");
  }, 30_000);
});

describe.skipIf(missingInfra("kafkaBroker"))("syslog from real senders to a real Kafka", () => {
  let topic: Awaited<ReturnType<typeof kafkaTopic>>;
  let main: RunningMain;
  const tls = serverCertificate();
  const host = hostname();

  beforeAll(async () => {
    topic = await kafkaTopic();
    main = await startMain({
      ...topic.settings,
      SYSLOG_TRANSPORTS: "udp,tcp,tls",
      SYSLOG_TLS_CERT_FILE: tls.certFile,
      SYSLOG_TLS_KEY_FILE: tls.keyFile,
    });
  });
  afterAll(async () => {
    const code = await main?.stop();
    await topic?.close();
    expect(code).toBe(0);
  });

  /** The published log whose text contains `marker`, once it arrived. */
  const arrived = (marker: string): Promise<LogMessage> =>
    eventually(
      async () => {
        const found = (await topic.published()).filter((log) => log.message.includes(marker));
        expect(found).toHaveLength(1);
        return found[0] as LogMessage;
      },
      { timeoutMs: 20_000, intervalMs: 300 },
    );

  it.each([
    ["udp", "--rfc5424", []],
    ["udp", "--rfc3164", []],
    ["tcp", "--rfc5424", []],
    ["tcp", "--rfc3164", []],
    ["tcp", "--rfc5424", ["--octet-count"]],
    ["tcp", "--rfc3164", ["--octet-count"]],
  ] as const)(
    "logger over %s %s %s: host, program, pid, time and text reach Kafka",
    async (transport, format, extra) => {
      const marker = `m${Math.random().toString(36).slice(2, 10)}`;
      const port = transport === "udp" ? main.ports.udp : main.ports.tcp;
      const before = Math.floor(Date.now() / 1000);
      logger([
        "--server",
        "127.0.0.1",
        "--port",
        String(port),
        `--${transport}`,
        format,
        ...extra,
        "-t",
        "sshd",
        "--id=4242",
        "-p",
        "authpriv.warning",
        `Failed password for root from 203.0.113.9 port 22 ssh2 ${marker}`,
      ]);
      const log = await arrived(marker);
      expect(log).toMatchObject({
        message: `${host} sshd[4242]: Failed password for root from 203.0.113.9 port 22 ssh2 ${marker}`,
        source: "syslog",
        host: { name: host },
        process: { name: "sshd", pid: 4242 },
        log: {
          source: { address: "127.0.0.1" },
          syslog: {
            priority: 84,
            facility: { code: 10, name: "authpriv" },
            severity: { code: 4, name: "warning" },
            hostname: host,
            appname: "sshd",
            procid: "4242",
          },
        },
      });
      // RFC 3164 carries whole seconds only.
      expect(log.timestamp).toBeGreaterThanOrEqual(before);
      expect(log.timestamp).toBeLessThanOrEqual(Date.now() / 1000 + 1);
      if (format === "--rfc5424")
        expect(log.log?.syslog?.structured_data).toMatchObject({ timeQuality: { tzKnown: "1" } });
    },
  );

  it("takes RFC 5425 octet-counted frames over TLS, several per write and one split across writes", async () => {
    const marker = `t${Math.random().toString(36).slice(2, 10)}`;
    const frame = (text: string): string => `${Buffer.byteLength(text)} ${text}`;
    const messages = [1, 2, 3].map(
      (n) => `<86>1 2026-01-02T03:04:05.678Z web01 sshd ${n} - - Accepted publickey for deploy ${marker}-${n} ✓`,
    );
    const socket = connect({ host: "127.0.0.1", port: main.ports.tls, ca: tls.cert, servername: "localhost" });
    await new Promise<void>((resolve, reject) => socket.once("secureConnect", resolve).once("error", reject));
    const stream = messages.map(frame).join("");
    socket.write(stream.slice(0, 50));
    await new Promise((resolve) => setTimeout(resolve, 100));
    socket.end(stream.slice(50));
    for (const n of [1, 2, 3]) {
      const log = await arrived(`${marker}-${n} `);
      expect(log).toMatchObject({
        message: `web01 sshd[${n}]: Accepted publickey for deploy ${marker}-${n} ✓`,
        timestamp: Date.parse("2026-01-02T03:04:05.678Z") / 1000,
        host: { name: "web01" },
        process: { name: "sshd", pid: n },
      });
    }
  });

  it("publishes nothing of plain TCP sent to the TLS port", async () => {
    const marker = `p${Math.random().toString(36).slice(2, 10)}`;
    logger([
      "--server",
      "127.0.0.1",
      "--port",
      String(main.ports.tls),
      "--tcp",
      "--rfc5424",
      `plain on the tls port ${marker}`,
    ]);
    logger(["--server", "127.0.0.1", "--port", String(main.ports.tcp), "--tcp", "--rfc5424", `after ${marker}`]);
    await arrived(`after ${marker}`);
    expect((await topic.published()).filter((log) => log.message.includes(`plain on the tls port ${marker}`))).toEqual(
      [],
    );
  });

  it("answers /readyz, refuses a line that is not syslog, and counts both in /metrics", async () => {
    expect((await fetch(`http://127.0.0.1:${main.opsPort}/readyz`)).status).toBe(200);
    const socket = createConnection({ host: "127.0.0.1", port: main.ports.tcp ?? 0 });
    socket.end("hello, not syslog\n");
    await once(socket, "close");
    const metrics = await eventually(async () => {
      const text = await (await fetch(`http://127.0.0.1:${main.opsPort}/metrics`)).text();
      expect(text).toMatch(/syslog_messages_refused_total\{transport="tcp",service="collector-syslog"\} 1\n/);
      return text;
    });
    expect(metrics).toMatch(/syslog_messages_received_total\{transport="udp",service="collector-syslog"\} [1-9]/);
    expect(metrics).toMatch(/collector_published_total\{source="syslog",service="collector-syslog"\} [1-9]/);
  });
});
