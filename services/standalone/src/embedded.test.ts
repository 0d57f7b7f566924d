// `make run` as a new user meets it: the embedded default started, stopped and started again on
// the same data directory (in process, and as the real `tsx main.ts` process), on free ports.
import { spawn } from "node:child_process";
import { once } from "node:events";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { eventually } from "@soc/shared/testing";
import { startEmbedded } from "./embedded.ts";

/** GET with the path exactly as given (fetch would normalise a malformed one). */
function get(
  base: string,
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const call = request(base, { path, headers, agent: false }, (response) => {
      let body = "";
      response.on("data", (chunk: Buffer) => (body += String(chunk)));
      response.on("end", () => resolve({ status: response.statusCode ?? 0, body }));
    });
    call.on("error", reject);
    call.end();
  });
}

const adminKeyIn = (dataDir: string): string =>
  /^admin:(\S+)$/m.exec(readFileSync(join(dataDir, "api-keys"), "utf8"))?.[1] ?? "";
const modeOf = (path: string): number => statSync(path).mode & 0o777;
const everyFile = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));

function freshDirs(): { dataDir: string; distDir: string } {
  const root = mkdtempSync(join(tmpdir(), "soc-embedded-"));
  const distDir = join(root, "dist");
  mkdirSync(distDir);
  writeFileSync(join(distDir, "index.html"), "<!doctype html><title>SOC</title>");
  return { dataDir: join(root, ".data"), distDir };
}

describe("the embedded default (make run)", () => {
  it("starts a second time on the same data directory: the old key still works, is not shown again, and every file is owner-only", async () => {
    const { dataDir, distDir } = freshDirs();
    const env = { DATA_DIR: dataDir, API_PORT: "0", DASHBOARD_PORT: "0", LOG_LEVEL: "silent" };
    const printed: string[] = [];
    const print = (text: string): void => void printed.push(text);

    const first = await startEmbedded({ env, print, distDir });
    const key = adminKeyIn(dataDir);
    expect(key).toMatch(/^soc_/);
    expect(printed.join("")).toContain(key);
    const auth = { authorization: `Bearer ${key}`, "content-type": "application/json" };
    const posted = await fetch(`${first.apiUrl}/logs`, {
      method: "POST",
      headers: auth,
      body: JSON.stringify({ message: "failed login attempt for user admin from 192.168.1.105" }),
    });
    expect(posted.status).toBe(200);
    await eventually(() => expect(existsSync(join(dataDir, "processed_logs.ndjson"))).toBe(true));
    await first.close();

    // What an older version, a copy or a lax umask left: everything readable by every local user.
    chmodSync(dataDir, 0o755);
    for (const file of everyFile(dataDir)) chmodSync(file, 0o644);
    printed.length = 0;

    const second = await startEmbedded({ env, print, distDir });
    try {
      expect(printed.join("")).toBe("");
      const whoami = await fetch(`${second.apiUrl}/auth/whoami`, { headers: auth });
      expect([whoami.status, await whoami.json()]).toEqual([200, { role: "admin" }]);
      expect(modeOf(dataDir)).toBe(0o700);
      const files = everyFile(dataDir);
      expect(files.map((file) => file.slice(dataDir.length + 1))).toEqual(
        expect.arrayContaining(["api-keys", "processed_logs.ndjson"]),
      );
      for (const file of files) expect([file, modeOf(file)]).toEqual([file, 0o600]);
      // The journal was replayed: the first run's log is still there, and a log taken in now is stored
      // beside it rather than over it (ids continue where the first run's stopped).
      const again = await fetch(`${second.apiUrl}/logs`, {
        method: "POST",
        headers: auth,
        body: JSON.stringify({ message: "failed login attempt for user root from 192.168.1.106" }),
      });
      expect(again.status).toBe(200);
      await eventually(async () => {
        const logs = (await (await fetch(`${second.apiUrl}/alerts`, { headers: auth })).json()) as {
          id: string;
          message: string;
        }[];
        expect(logs.map((log) => log.message).sort()).toEqual([
          "failed login attempt for user admin from 192.168.1.105",
          "failed login attempt for user root from 192.168.1.106",
        ]);
        expect(new Set(logs.map((log) => log.id)).size).toBe(2);
      });
    } finally {
      await second.close();
    }
  });

  it("applies the retention at start: normal logs past RETENTION_NORMAL_DAYS leave the API and the journal, anomalies stay", async () => {
    const { dataDir, distDir } = freshDirs();
    mkdirSync(dataDir, { recursive: true });
    const now = Math.floor(Date.now() / 1000);
    const stored = (id: string, daysAgo: number, is_anomaly: boolean) => ({
      doc: {
        id,
        message: `${id} line`,
        timestamp: now - daysAgo * 86_400,
        status: "new",
        is_anomaly,
        reason: is_anomaly ? "Log contains anomalous keyword." : null,
        source_ip: null,
      },
    });
    const journal = join(dataDir, "processed_logs.ndjson");
    writeFileSync(
      journal,
      [stored("old-normal", 20, false), stored("recent-normal", 2, false), stored("old-incident", 20, true)]
        .map((entry) => `${JSON.stringify(entry)}\n`)
        .join(""),
    );
    const env = {
      DATA_DIR: dataDir,
      API_PORT: "0",
      DASHBOARD_PORT: "0",
      LOG_LEVEL: "silent",
      RETENTION_NORMAL_DAYS: "7",
      RETENTION_ANOMALY_DAYS: "30",
    };
    const embedded = await startEmbedded({ env, print: () => {}, distDir });
    try {
      const auth = { authorization: `Bearer ${adminKeyIn(dataDir)}` };
      await eventually(async () => {
        const logs = (await (await fetch(`${embedded.apiUrl}/alerts`, { headers: auth })).json()) as { id: string }[];
        expect(logs.map((log) => log.id).sort()).toEqual(["old-incident", "recent-normal"]);
      });
      expect(readFileSync(journal, "utf8")).not.toContain("old-normal");
      expect(modeOf(journal)).toBe(0o600);
    } finally {
      await embedded.close();
    }
  });

  it("survives malformed URLs on the dashboard and the API, which once stopped the whole process", async () => {
    const { dataDir, distDir } = freshDirs();
    const embedded = await startEmbedded({
      env: { DATA_DIR: dataDir, API_PORT: "0", DASHBOARD_PORT: "0", LOG_LEVEL: "silent" },
      print: () => {},
      distDir,
    });
    try {
      const dashboard = embedded.dashboardUrl ?? "";
      for (const path of ["/%E0%A4%A", "/%"]) {
        expect((await get(dashboard, path)).status).toBe(400);
        expect((await get(embedded.apiUrl, path)).status).toBe(404);
      }
      expect((await get(dashboard, "/")).status).toBe(200);
      const key = adminKeyIn(dataDir);
      const posted = await fetch(`${embedded.apiUrl}/logs`, {
        method: "POST",
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
        body: JSON.stringify({ message: "still ingesting" }),
      });
      expect(posted.status).toBe(200);
    } finally {
      await embedded.close();
    }
  });

  it("runs as `tsx main.ts` on the data directory of an earlier start: key not shown, still valid, and malformed URLs do not stop it", async () => {
    const { dataDir, distDir } = freshDirs();
    const env = { DATA_DIR: dataDir, API_PORT: "0", DASHBOARD_PORT: "0", LOG_LEVEL: "silent" };
    await (await startEmbedded({ env, print: () => {}, distDir })).close();
    const key = adminKeyIn(dataDir);

    const main = fileURLToPath(new URL("./main.ts", import.meta.url));
    const child = spawn(process.execPath, ["--import", "tsx", main], {
      env: { ...process.env, ...env, LOG_LEVEL: "info" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += String(chunk)));
    child.stderr.on("data", (chunk: Buffer) => (output += String(chunk)));
    try {
      const api = await eventually(
        () => {
          const line = output.split("\n").find((text) => text.includes("SOC Pipeline running"));
          if (line === undefined) throw new Error(`not running yet:\n${output}`);
          return (JSON.parse(line) as { api: string }).api;
        },
        { timeoutMs: 30_000, intervalMs: 100 },
      );
      expect(output).not.toContain(key);
      for (const path of ["/%E0%A4%A", "/%"]) expect((await get(api, path)).status).toBe(404);
      expect((await get(api, "/auth/whoami", { authorization: `Bearer ${key}` })).status).toBe(200);
      expect(child.exitCode).toBeNull();
    } finally {
      child.kill("SIGTERM");
    }
    const [code] = (await once(child, "exit")) as [number | null];
    expect(code).toBe(0);
    expect(modeOf(dataDir)).toBe(0o700);
    for (const file of everyFile(dataDir)) expect([file, modeOf(file)]).toEqual([file, 0o600]);
  }, 60_000);
});
