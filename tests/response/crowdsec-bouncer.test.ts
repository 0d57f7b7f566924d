// Bans reach an enforcer that exists: Debian's crowdsec-custom-bouncer pulls the embedded
// pipeline's bans through CrowdSec's bouncer API with a key made by add-key.ts, and runs its
// script with `add <ip> ...` after a brute force and `del <ip> ...` once an analyst lifts the ban.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually } from "@soc/shared/testing";
import { startEmbedded, type Embedded } from "../../services/standalone/src/embedded.ts";

const BOUNCER = "/usr/bin/crowdsec-custom-bouncer";
const ADD_KEY = fileURLToPath(new URL("../../services/standalone/src/add-key.ts", import.meta.url));
const ATTACKER = "203.0.113.77";

const missingBouncer = !existsSync(BOUNCER);
if (missingBouncer)
  console.warn(
    `skipping the CrowdSec bouncer test: ${BOUNCER} is missing (scripts/infra/apt-packages.sh installs crowdsec-custom-bouncer)`,
  );

/** One line per call of the bouncer's script: action|value|duration seconds|scenario. */
const calls = (file: string): string[] =>
  existsSync(file)
    ? readFileSync(file, "utf8")
        .split("\n")
        .filter((line) => line !== "")
    : [];

describe.skipIf(missingBouncer)("crowdsec-custom-bouncer applies the pipeline's bans", () => {
  const root = mkdtempSync(join(tmpdir(), "soc-bouncer-"));
  const dataDir = join(root, ".data");
  const callsFile = join(root, "calls.txt");
  const env = { DATA_DIR: dataDir, API_PORT: "0", DASHBOARD_PORT: "0", LOG_LEVEL: "silent" };
  let embedded: Embedded;
  let bouncer: ChildProcess;
  let bouncerOutput = "";
  let adminKey = "";

  beforeAll(async () => {
    // The first start creates the admin key; the bouncer's key is added as a user would, then read at the next start.
    await (await startEmbedded({ env, print: () => {}, distDir: root })).close();
    adminKey = /^admin:(\S+)$/m.exec(readFileSync(join(dataDir, "api-keys"), "utf8"))?.[1] ?? "";
    const added = spawnSync(process.execPath, ["--import", "tsx", ADD_KEY, "bouncer", "edge-test"], {
      env: { ...process.env, DATA_DIR: dataDir },
      encoding: "utf8",
      timeout: 30_000,
    });
    expect(added.status, added.stderr).toBe(0);
    const bouncerKey = /^\s+(soc_\S+)$/m.exec(added.stdout)?.[1] ?? "";
    embedded = await startEmbedded({ env, print: () => {}, distDir: root });

    const script = join(root, "enforce.sh");
    writeFileSync(script, `#!/bin/sh\nprintf '%s|%s|%s|%s\\n' "$1" "$2" "$3" "$4" >> '${callsFile}'\n`);
    chmodSync(script, 0o700);
    const config = join(root, "crowdsec-custom-bouncer.yaml");
    writeFileSync(
      config,
      [
        `bin_path: ${script}`,
        "feed_via_stdin: false",
        "total_retries: 0",
        `piddir: ${root}/`,
        "update_frequency: 1s",
        "cache_retention_duration: 10s",
        "daemonize: false",
        "log_mode: stdout",
        "log_level: info",
        `api_url: ${embedded.apiUrl}/`,
        `api_key: ${bouncerKey}`,
        "prometheus:",
        "  enabled: false",
        "",
      ].join("\n"),
    );
    bouncer = spawn(BOUNCER, ["-c", config], { stdio: ["ignore", "pipe", "pipe"] });
    for (const stream of [bouncer.stdout, bouncer.stderr])
      stream?.on("data", (chunk: Buffer) => (bouncerOutput += String(chunk)));
  }, 90_000);

  afterAll(async () => {
    if (bouncer !== undefined && bouncer.exitCode === null) {
      bouncer.kill("SIGTERM");
      await Promise.race([once(bouncer, "exit"), new Promise((resolve) => setTimeout(resolve, 5_000))]);
      if (bouncer.exitCode === null) bouncer.kill("SIGKILL");
    }
    await embedded?.close();
    rmSync(root, { recursive: true, force: true });
  });

  const admin = (path: string, init: RequestInit = {}): Promise<Response> =>
    fetch(`${embedded.apiUrl}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${adminKey}`, "content-type": "application/json" },
    });

  it("runs `add <ip>` for the source of a brute force, then `del <ip>` when an analyst lifts the ban", async () => {
    const failures = [0, 1, 2, 3, 4].map((i) => ({
      message: `Nov 27 10:00:0${i} web-1 sshd[4242]: Failed password for invalid user admin from ${ATTACKER} port 5022${i} ssh2`,
      source: "sshd",
    }));
    expect((await admin("/logs", { method: "POST", body: JSON.stringify(failures) })).status).toBe(200);

    // The ban lasts 4 h: 14400 s remain when the bouncer pulls within the second it was made, 1439x after.
    await eventually(
      () =>
        expect(calls(callsFile), bouncerOutput).toEqual([
          expect.stringMatching(
            new RegExp(
              `^add\\|${ATTACKER.replace(/\./g, "\\.")}\\|(?:14400|1439\\d)\\|Brute-force attempt detected from ${ATTACKER} \\(5 attempts\\)\\.$`,
            ),
          ),
        ]),
      { timeoutMs: 30_000, intervalMs: 250 },
    );

    const lifted = await admin(`/bans/${ATTACKER}`, { method: "DELETE" });
    expect(lifted.status).toBe(200);
    await eventually(
      () =>
        expect(
          calls(callsFile).map((line) => line.split("|").slice(0, 2).join(" ")),
          bouncerOutput,
        ).toEqual([`add ${ATTACKER}`, `del ${ATTACKER}`]),
      { timeoutMs: 30_000, intervalMs: 250 },
    );
    expect(bouncer.exitCode, bouncerOutput).toBeNull();
  }, 90_000);
});
