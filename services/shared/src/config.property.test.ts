// Property tests of the configuration helpers every service's main() uses: whatever an
// environment holds, a value is read as meant or refused as a ConfigError naming its key.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { booleanFlag, commaList, ConfigError, parseConfig, port, positiveInt } from "./config.ts";

const RUNS = { numRuns: 300 };
const schema = z.object({
  PORT: port.default(8000),
  LIMIT: positiveInt.default(5),
  LIST: commaList.default([]),
  FLAG: booleanFlag.default(false),
});
type Env = Record<string, string | undefined>;

/** The parsed configuration, or the names of the keys it refused. */
function outcome(env: Env): z.output<typeof schema> | { refused: string[] } {
  try {
    return parseConfig(schema, env);
  } catch (thrown) {
    expect(thrown).toBeInstanceOf(ConfigError);
    return { refused: [...(thrown as ConfigError).message.matchAll(/^ {2}(\w+): /gm)].map((match) => match[1] ?? "") };
  }
}

const anyValue = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.integer().map(String),
  fc.double().map(String),
  fc.constantFrom("", " ", "0", "-1", "1e3", "0x10", "65536", "8000 ", "true", "yes", "NaN", "Infinity"),
);

describe("configuration values", () => {
  it("read any environment into values in range, or refuse it naming exactly the bad keys", () => {
    fc.assert(
      fc.property(
        fc.record({ PORT: anyValue, LIMIT: anyValue, LIST: anyValue, FLAG: anyValue }, { requiredKeys: [] }),
        (env) => {
          const result = outcome(env);
          if ("refused" in result) {
            expect(result.refused.length).toBeGreaterThan(0);
            for (const key of result.refused)
              expect(() => parseConfig(schema, { [key]: env[key as keyof typeof env] })).toThrow(
                new RegExp(`^invalid configuration:\\n {2}${key}: `),
              );
            return;
          }
          expect(Number.isInteger(result.PORT) && result.PORT >= 0 && result.PORT <= 65_535).toBe(true);
          expect(Number.isSafeInteger(result.LIMIT) && result.LIMIT > 0).toBe(true);
          expect(typeof result.FLAG).toBe("boolean");
        },
      ),
      RUNS,
    );
  });

  it("read every port and positive count written in decimal, around spaces, as itself", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 65_535 }),
        fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
        fc.constantFrom("", " ", "\t"),
        (portNumber, count, space) => {
          expect(parseConfig(schema, { PORT: `${space}${portNumber}${space}`, LIMIT: String(count) })).toMatchObject({
            PORT: portNumber,
            LIMIT: count,
          });
        },
      ),
      RUNS,
    );
  });

  it("refuse a blank port rather than read it as 0 (a random port)", () => {
    for (const blank of ["", " "]) expect(outcome({ PORT: blank })).toEqual({ refused: ["PORT"] });
  });

  it("split comma lists into trimmed, non-empty items without commas, and round-trip them", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (text) => {
        const items = commaList.parse(text);
        for (const item of items) expect(item === item.trim() && item !== "" && !item.includes(",")).toBe(true);
        expect(commaList.parse(items.join(" , "))).toEqual(items);
      }),
      RUNS,
    );
  });

  it("take only the six boolean words", () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom("true", "false", "1", "0", "yes", "no", "TRUE", "on")),
        (text) => {
          const result = booleanFlag.safeParse(text);
          expect(result.success).toBe(["true", "false", "1", "0", "yes", "no"].includes(text));
          if (result.success) expect(result.data).toBe(["true", "1", "yes"].includes(text));
        },
      ),
      RUNS,
    );
  });
});
