import { execFile } from "node:child_process";
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { BUILT_IN_RULES_DIR } from "./load.ts";

const CLI = fileURLToPath(new URL("./cli.ts", import.meta.url));

/** Runs `soc-rules` as CI would: the package's bin, as an executable with its own shebang. */
async function socRules(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(CLI, args);
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

const made: string[] = [];
afterAll(() => made.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** A copy of the built-in rules and fixtures, with the expectations replaced. */
function rulesDirWith(expected: string): string {
  const dir = mkdtempSync(join(tmpdir(), "soc-rules-"));
  made.push(dir);
  cpSync(BUILT_IN_RULES_DIR, dir, { recursive: true });
  writeFileSync(join(dir, "tests", "ssh-attacks.expected.yaml"), expected);
  return dir;
}

describe("soc-rules test <dir>", () => {
  it("exits 0 when every fixture raises exactly its expected alerts (the built-in rules)", async () => {
    const run = await socRules("test", BUILT_IN_RULES_DIR);
    expect(run).toMatchObject({ code: 0, stderr: "" });
    expect(run.stdout).toContain("PASS ssh-attacks\n1 passed, 0 failed");
  });

  it("exits 1 with a diff of missing and unexpected alerts", async () => {
    const dir = rulesDirWith(
      "- rule: ssh-brute-force\n  key: 203.0.113.7\n  line: 4\n- rule: compromise-after-failures\n  key: 203.0.113.7\n",
    );
    const run = await socRules("test", dir);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(
      [
        "FAIL ssh-attacks",
        "  - expected, not raised: line 4: ssh-brute-force 203.0.113.7",
        '  + raised, not expected: line 5: ssh-brute-force 203.0.113.7 (count 5, high) "Brute-force attempt detected from 203.0.113.7 (5 attempts)."',
        "0 passed, 1 failed",
      ].join("\n"),
    );
  });

  it("exits 1 naming the file, rule and field of an invalid rule", async () => {
    const dir = rulesDirWith("[]\n");
    writeFileSync(
      join(dir, "bad.yaml"),
      "id: spray\ntitle: x\nkind: distinct\nseverity: high\nmatch: {event.outcome: failure}\nkey: client.address\ndistinct: user.email\nthreshold: 5\nwindowSeconds: 60\nreason: x\n",
    );
    const run = await socRules("test", dir);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      'error: bad.yaml#1: rule "spray" is invalid: distinct: unknown field "user.email"; one of client.address, client.ip, client.domain, user.name, event.outcome, event.action, process.name, host.name, log.source\n',
    );
  });

  it("exits 2 with its usage on wrong arguments", async () => {
    const run = await socRules("tset");
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("usage: soc-rules test <rules-dir>");
  });
});
