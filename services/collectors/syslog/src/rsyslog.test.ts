// A real rsyslog ships a file the way a host ships /var/log/auth.log: imfile reads the lines,
// omfwd forwards each as `<PRI>` + the line (its own time, host, program and pid) to the collector
// over TCP, and over TLS with rsyslog's gtls driver. Lines from loghub's OpenSSH_2k.log.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LogMessage } from "@soc/shared";
import { eventually, missingInfra } from "@soc/shared/testing";
import { FUTURE_SKEW_MS, MONTHS } from "./time.ts";
import { kafkaTopic, serverCertificate, startMain, type RunningMain } from "./testing/harness.ts";

const OPENSSH_LOG = fileURLToPath(new URL("../../../../testdata/loghub/OpenSSH_2k.log", import.meta.url));
const LINES = readFileSync(OPENSSH_LOG, "utf8")
  .split(/\r?\n/)
  .filter((line) => line !== "")
  .slice(0, 40);
const hasRsyslog = spawnSync("rsyslogd", ["-v"]).status === 0;
if (!hasRsyslog)
  console.warn("skipping rsyslog tests: install rsyslog and rsyslog-gnutls (scripts/infra/apt-packages.sh)");

/** What the collector should make of an auth.log line: the year is the latest one not ahead of now. */
function expected(line: string): { timestamp: number; pid: number; message: string } {
  const match = /^(\w{3}) +(\d+) (\d\d):(\d\d):(\d\d) (\S+) sshd\[(\d+)\]: (.*)$/.exec(line);
  if (match === null) throw new Error(`not an auth.log line: ${line}`);
  const [, month = "", day, hour, minute, second, host = "", pid, text = ""] = match;
  const at = (year: number): number =>
    Date.UTC(
      year,
      MONTHS.indexOf(month as (typeof MONTHS)[number]),
      Number(day),
      Number(hour),
      Number(minute),
      Number(second),
    );
  const thisYear = new Date().getUTCFullYear();
  const ms = at(thisYear) <= Date.now() + FUTURE_SKEW_MS ? at(thisYear) : at(thisYear - 1);
  return { timestamp: ms / 1000, pid: Number(pid), message: `${host} sshd[${pid}]: ${text}` };
}

/** rsyslogd in the foreground with its own config and work directory; `action` is the omfwd line. */
async function startRsyslog(dir: string, file: string, action: string, globals = ""): Promise<ChildProcess> {
  const conf = join(dir, "rsyslog.conf");
  writeFileSync(
    conf,
    `global(workDirectory="${dir}" ${globals})
module(load="imfile" mode="polling" pollingInterval="1")
template(name="AuthLogLine" type="string" string="<%PRI%>%msg%\\n")
input(type="imfile" file="${file}" tag="auth.log" facility="authpriv" severity="info" ruleset="forward")
ruleset(name="forward") {
  ${action}
}
`,
  );
  const check = spawnSync("rsyslogd", ["-N1", "-f", conf], { encoding: "utf8" });
  if (check.status !== 0) throw new Error(`rsyslog config refused:\n${check.stderr}${check.stdout}`);
  const child = spawn("rsyslogd", ["-n", "-f", conf, "-i", join(dir, "rsyslogd.pid")], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => (output += String(chunk)));
  child.stderr?.on("data", (chunk: Buffer) => (output += String(chunk)));
  child.on("exit", (code) => {
    if (code !== 0 && code !== null) console.error(`rsyslogd exited ${code}:\n${output}`);
  });
  return child;
}

async function stopRsyslog(child: ChildProcess | undefined): Promise<void> {
  if (child === undefined || child.exitCode !== null) return;
  const exited = once(child, "exit");
  child.kill("SIGTERM");
  await exited;
}

describe.skipIf(missingInfra("kafkaBroker") || !hasRsyslog)("rsyslog forwarding an auth.log to the collector", () => {
  let topic: Awaited<ReturnType<typeof kafkaTopic>>;
  let main: RunningMain;
  const tls = serverCertificate();
  const senders: ChildProcess[] = [];

  beforeAll(async () => {
    topic = await kafkaTopic();
    main = await startMain({
      ...topic.settings,
      SYSLOG_TRANSPORTS: "tcp,tls",
      SYSLOG_TLS_CERT_FILE: tls.certFile,
      SYSLOG_TLS_KEY_FILE: tls.keyFile,
    });
  });
  afterAll(async () => {
    for (const sender of senders) await stopRsyslog(sender);
    expect(await main?.stop()).toBe(0);
    await topic?.close();
  });

  /** Ships the lines under a marker host name, and waits for all of them on the topic. */
  async function ship(host: string, action: (file: string) => string, globals = ""): Promise<LogMessage[]> {
    const dir = mkdtempSync(join(tmpdir(), "rsyslog-"));
    const file = join(dir, "auth.log");
    writeFileSync(file, `${LINES.map((line) => line.replace(" LabSZ ", ` ${host} `)).join("\n")}\n`);
    senders.push(await startRsyslog(dir, file, action(file), globals));
    return eventually(
      async () => {
        const logs = (await topic.published()).filter((log) => log.host?.name === host);
        expect(logs).toHaveLength(LINES.length);
        return logs;
      },
      { timeoutMs: 30_000, intervalMs: 500 },
    );
  }

  function expectParsed(logs: LogMessage[], host: string): void {
    const want = LINES.map((line) => expected(line.replace(" LabSZ ", ` ${host} `)));
    expect(logs.map((log) => log.message)).toEqual(want.map((w) => w.message));
    expect(logs.map((log) => log.timestamp)).toEqual(want.map((w) => w.timestamp));
    expect(logs.map((log) => log.process)).toEqual(want.map((w) => ({ name: "sshd", pid: w.pid })));
    expect(logs[0]?.log?.syslog).toMatchObject({
      facility: { code: 10, name: "authpriv" },
      severity: { code: 6, name: "informational" },
      hostname: host,
      appname: "sshd",
    });
  }

  it("over TCP, newline framed: every line arrives with its host, program, pid and time", async () => {
    const logs = await ship(
      "tcp-host",
      () => `action(type="omfwd" target="127.0.0.1" port="${main.ports.tcp}" protocol="tcp" template="AuthLogLine")`,
    );
    expectParsed(logs, "tcp-host");
  }, 60_000);

  it("over TLS with rsyslog's gtls driver, octet counted, verifying the collector's certificate", async () => {
    const logs = await ship(
      "tls-host",
      () =>
        `action(type="omfwd" target="127.0.0.1" port="${main.ports.tls}" protocol="tcp" template="AuthLogLine" TCP_Framing="octet-counted" StreamDriver="gtls" StreamDriverMode="1" StreamDriverAuthMode="x509/name" StreamDriverPermittedPeers="localhost")`,
      `defaultNetstreamDriverCAFile="${tls.certFile}"`,
    );
    expectParsed(logs, "tls-host");
  }, 60_000);
});
