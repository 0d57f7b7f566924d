import { mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseApiKeys } from "@soc/api";
import { addApiKey, loadOrCreateKeys } from "./api-keys.ts";

describe("adding a key to the embedded default's keys file", () => {
  it("appends a named key the next start reads, next to the admin key, owner-only", () => {
    const dataDir = mkdtempSync(join(tmpdir(), "soc-keys-"));
    const { createdAdminKey } = loadOrCreateKeys(dataDir);
    const key = addApiKey(dataDir, "bouncer", "edge-1");
    expect(key).toMatch(/^soc_/);
    expect(loadOrCreateKeys(dataDir).keys).toEqual([
      { role: "admin", key: createdAdminKey },
      { role: "bouncer", key, name: "edge-1" },
    ]);
    expect(statSync(join(dataDir, "api-keys")).mode & 0o777).toBe(0o600);
  });

  it("refuses a name already taken or malformed, leaving the file as it was", () => {
    const dataDir = mkdtempSync(join(tmpdir(), "soc-keys-"));
    loadOrCreateKeys(dataDir);
    addApiKey(dataDir, "bouncer", "edge-1");
    const before = readFileSync(join(dataDir, "api-keys"), "utf8");
    expect(() => addApiKey(dataDir, "bouncer", "edge-1")).toThrow("two keys are named edge-1");
    expect(() => addApiKey(dataDir, "read", "two words")).toThrow(/a key name is 1 to 64 letters/);
    expect(readFileSync(join(dataDir, "api-keys"), "utf8")).toBe(before);
    expect(parseApiKeys(before)).toHaveLength(2);
  });

  it("needs the file a first start creates, so that start still makes the admin key", () => {
    expect(() => addApiKey(mkdtempSync(join(tmpdir(), "soc-keys-")), "bouncer", "edge-1")).toThrow(
      /start the pipeline once \(make run\)/,
    );
  });
});
