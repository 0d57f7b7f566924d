// The collector as a process runs it (main.ts from source): what an operator sees on start, on a
// bad setting, on a taken port and on SIGTERM.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { eventually, missingInfra } from "@soc/shared/testing";

const MAIN = fileURLToPath(new URL("./main.ts", import.meta.url));

/** `settings` over this process's environment, less the real server's POSTGRES_LOG_DIR. */
function startMain(settings: Record<string, string>) {
  const { POSTGRES_LOG_DIR: _realLogDir, ...inherited } = process.env;
  const env = { ...inherited, LOG_LEVEL: "info", COLLECTOR_PORT: "0", ...settings };
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

function stateDir(): Record<string, string> {
  const dir = mkdtempSync(join(tmpdir(), "pg-collector-"));
  return { POSTGRES_LOG_DIR: dir, COLLECTOR_CURSOR_FILE: join(dir, "cursor") };
}

describe("the PostgreSQL collector process", () => {
  it("exits 1 naming the missing setting", async () => {
    const main = startMain({});
    expect(await main.exited).toBe(1);
    expect(main.output()).toContain("POSTGRES_LOG_DIR");
    expect(main.output()).toContain("collector could not start");
  }, 30_000);

  it("exits 1 when its port is taken, saying so", async () => {
    const blocker = createServer().listen(0);
    await once(blocker, "listening");
    try {
      const main = startMain({ ...stateDir(), COLLECTOR_PORT: String((blocker.address() as { port: number }).port) });
      expect(await main.exited).toBe(1);
      expect(main.output()).toContain("EADDRINUSE");
    } finally {
      blocker.close();
    }
  }, 30_000);

  it.skipIf(missingInfra("kafkaBroker"))(
    "is ready once Kafka answers, and on SIGTERM, sent twice, shuts down once and exits 0",
    async () => {
      const main = startMain(stateDir());
      try {
        const port = await eventually(
          () => {
            const line = main
              .output()
              .split("\n")
              .find((text) => text.includes("collector listening"));
            if (line === undefined) throw new Error(`not listening yet:\n${main.output()}`);
            return (JSON.parse(line) as { port: number }).port;
          },
          { timeoutMs: 20_000, intervalMs: 100 },
        );
        await eventually(async () => expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200), {
          timeoutMs: 10_000,
        });
        expect(main.child.exitCode).toBeNull();
      } finally {
        main.child.kill("SIGTERM");
        main.child.kill("SIGTERM");
      }
      expect(await main.exited).toBe(0);
      expect(main.output().match(/shutting down/g)).toHaveLength(1);
    },
    40_000,
  );
});
