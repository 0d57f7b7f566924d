import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { ConfigError, parseConfig, positiveInt, Secret, secretString } from "./config.ts";

const schema = z.object({
  THRESHOLD: positiveInt.default(5),
  WINDOW_SECONDS: positiveInt.default(300),
  TOKEN: secretString.optional(),
});

describe("parseConfig", () => {
  it("reports every bad key at once, by name", () => {
    const error = (() => {
      try {
        parseConfig(schema, { THRESHOLD: "-1", WINDOW_SECONDS: "soon" });
      } catch (thrown) {
        return thrown as ConfigError;
      }
      return null;
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect(error?.message).toMatch(/THRESHOLD: /);
    expect(error?.message).toMatch(/WINDOW_SECONDS: /);
  });

  it("reads KEY_FILE for the schema's keys only, ignoring unrelated *_FILE variables", () => {
    const file = join(mkdtempSync(join(tmpdir(), "cfg-")), "token");
    writeFileSync(file, "s3cret\n");
    const config = parseConfig(schema, { TOKEN_FILE: file, TF_CLI_CONFIG_FILE: "/does/not/exist" });
    expect(config.TOKEN?.reveal()).toBe("s3cret");
    expect(() => parseConfig(schema, { TOKEN_FILE: "/does/not/exist" })).toThrow(/TOKEN_FILE: cannot read/);
  });

  it("never prints a secret", () => {
    const secret = new Secret("hunter2");
    expect(`${secret}`).toBe("<secret>");
    expect(JSON.stringify({ secret })).toBe('{"secret":"<secret>"}');
  });
});
