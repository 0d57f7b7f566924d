/**
 * What the syslog integration tests share: the collector as its process runs (main.ts from
 * source) on a topic of its own, a reader of that topic on the real Kafka, and a throw-away
 * server certificate for TLS.
 */
import { spawn, spawnSync } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { silentLogger, type LogMessage } from "@soc/shared";
import { createKafkaBus, type KafkaBus } from "@soc/shared/kafka";
import { eventually, realInfra, uniqueName } from "@soc/shared/testing";

const MAIN = fileURLToPath(new URL("../main.ts", import.meta.url));

export interface RunningMain {
  ports: { udp?: number; tcp?: number; tls?: number };
  opsPort: number;
  output(): string;
  exited: Promise<number | null>;
  stop(): Promise<number | null>;
}

export function spawnMain(settings: Record<string, string>) {
  const env = {
    ...process.env,
    LOG_LEVEL: "info",
    COLLECTOR_PORT: "0",
    SYSLOG_UDP_PORT: "0",
    SYSLOG_TCP_PORT: "0",
    SYSLOG_TLS_PORT: "0",
    SYSLOG_BIND_ADDRESS: "127.0.0.1",
    ...settings,
  };
  const child = spawn(process.execPath, ["--conditions=development", "--import", "tsx", MAIN], {
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += String(chunk)));
  child.stderr.on("data", (chunk: Buffer) => (output += String(chunk)));
  const exited = once(child, "exit").then(([code]) => code as number | null);
  return { child, exited, output: () => output };
}

const logLine = (output: string, msg: string): Record<string, unknown> | undefined => {
  const line = output.split("\n").find((text) => text.includes(`"msg":"${msg}"`));
  return line === undefined ? undefined : (JSON.parse(line) as Record<string, unknown>);
};

/** Starts the collector and waits until it listens; `settings` over a Kafka-backed default. */
export async function startMain(settings: Record<string, string>): Promise<RunningMain> {
  const main = spawnMain(settings);
  const started = await eventually(
    () => {
      const syslog = logLine(main.output(), "syslog listening");
      const collector = logLine(main.output(), "collector listening");
      if (syslog === undefined || collector === undefined) throw new Error(`not listening yet:\n${main.output()}`);
      return { ports: syslog.ports as RunningMain["ports"], opsPort: collector.port as number };
    },
    { timeoutMs: 30_000, intervalMs: 100 },
  );
  return {
    ...started,
    output: main.output,
    exited: main.exited,
    stop: () => {
      main.child.kill("SIGTERM");
      return main.exited;
    },
  };
}

/** A reader of one fresh topic on the real Kafka, and the collector settings that publish to it. */
export async function kafkaTopic(): Promise<{
  settings: Record<string, string>;
  published(): Promise<LogMessage[]>;
  close(): Promise<void>;
}> {
  const topic = uniqueName("syslog-logs");
  const reader: KafkaBus = createKafkaBus({
    brokers: [realInfra.kafkaBroker ?? ""],
    clientId: uniqueName("syslog-reader"),
    logger: silentLogger(),
  });
  await reader.ensureTopics([{ topic, partitions: 1, config: {} }]);
  return {
    settings: {
      KAFKA_BROKER: realInfra.kafkaBroker ?? "",
      TOPIC_LOGS: topic,
      TOPIC_CONFIG_UPDATES: `${topic}-config`,
      TOPIC_HIGH_PRIORITY_ALERTS: `${topic}-alerts`,
    },
    async published() {
      const values: LogMessage[] = [];
      await (
        await reader.follow(topic, (message) => values.push(JSON.parse(message.value ?? "{}") as LogMessage))
      ).stop();
      return values;
    },
    close: () => reader.close(),
  };
}

/** A self-signed certificate for 127.0.0.1 and localhost, made with openssl for this run. */
export function serverCertificate(): { dir: string; certFile: string; keyFile: string; cert: string } {
  const dir = mkdtempSync(join(tmpdir(), "syslog-tls-"));
  const certFile = join(dir, "cert.pem");
  const keyFile = join(dir, "key.pem");
  const made = spawnSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-nodes",
      "-days",
      "1",
      "-subj",
      "/CN=localhost",
      "-addext",
      "subjectAltName=IP:127.0.0.1,DNS:localhost",
      "-keyout",
      keyFile,
      "-out",
      certFile,
    ],
    { encoding: "utf8" },
  );
  if (made.status !== 0) throw new Error(`openssl failed: ${made.stderr}`);
  return { dir, certFile, keyFile, cert: readFileSync(certFile, "utf8") };
}
