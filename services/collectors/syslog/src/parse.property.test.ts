// The parser as a sender's bytes reach it: any input is answered (never thrown), well-formed
// messages come back field for field, hostile input costs time linear in its size, and what is
// published always validates as a `logs` message.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { logMessageSchema } from "@soc/shared";
import { toLogMessage } from "./ecs.ts";
import { parseSyslog, type SyslogMessage } from "./parse.ts";
import { MONTHS } from "./time.ts";

const NOW = Date.UTC(2025, 2, 15, 12, 0, 0);
const options = { timeZone: "UTC", nowMs: NOW };
const printable = (min: number, max: number) =>
  fc.string({ unit: fc.constantFrom(..."abcXYZ019.-_@:/!#$%&*+"), minLength: min, maxLength: max });
const sdName = fc.string({ unit: fc.constantFrom(..."abcxyz019.-_@"), minLength: 1, maxLength: 32 });
const pri = fc.record({ facility: fc.integer({ min: 0, max: 23 }), severity: fc.integer({ min: 0, max: 7 }) });
const syslogText = fc.string({ maxLength: 300 }).map((text) => text.replace(/^[\uFEFF]+/, ""));

const rfc5424 = fc.record({
  pri,
  // Whole milliseconds in 2000-2100, written with and without a fraction.
  ms: fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2100, 0, 1) }),
  hostname: fc.option(
    printable(1, 255).filter((s) => s !== "-"),
    { nil: undefined },
  ),
  appName: fc.option(
    printable(1, 48).filter((s) => s !== "-"),
    { nil: undefined },
  ),
  procId: fc.option(
    printable(1, 128).filter((s) => s !== "-"),
    { nil: undefined },
  ),
  msgId: fc.option(
    printable(1, 32).filter((s) => s !== "-"),
    { nil: undefined },
  ),
  structuredData: fc.option(
    fc.dictionary(sdName, fc.dictionary(sdName, fc.string({ maxLength: 40 }), { maxKeys: 3 }), {
      minKeys: 1,
      maxKeys: 3,
    }),
    { nil: undefined },
  ),
  text: syslogText,
  bom: fc.boolean(),
});

const sdText = (data: Record<string, Record<string, string>>): string =>
  Object.entries(data)
    .map(
      ([id, params]) =>
        `[${[id, ...Object.entries(params).map(([name, value]) => `${name}="${value.replace(/[\\"\]]/g, (c) => `\\${c}`)}"`)].join(" ")}]`,
    )
    .join("");

describe("parseSyslog, on any input", () => {
  it("answers every string, never throws, and a refusal always says why", () => {
    const pieces = fc.constantFrom(
      "<13>",
      "<165>1 ",
      "1 ",
      "- ",
      "[",
      "]",
      '="',
      '\\"',
      "\\",
      " ",
      "Mar 10 06:55:46 ",
      "2025-03-10T06:55:46Z ",
      "sshd[",
      "1]: ",
      ":",
      "\uFEFF",
      "\0",
      "\n",
    );
    const hostile = fc
      .array(fc.oneof(pieces, fc.string({ maxLength: 8 })), { maxLength: 60 })
      .map((parts) => parts.join(""));
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ maxLength: 500 }), fc.string({ unit: "binary", maxLength: 300 }), hostile),
        (input) => {
          const result = parseSyslog(input, options);
          if (!result.ok) expect(result.reason.length).toBeGreaterThan(0);
          else
            expect(logMessageSchema.safeParse(toLogMessage(result.message, { truncated: false })).success).toBe(true);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it("gives back every field of a well-formed RFC 5424 message", () => {
    fc.assert(
      fc.property(rfc5424, fc.boolean(), (m, fraction) => {
        const iso = new Date(m.ms).toISOString();
        const time = fraction ? iso : iso.replace(/\.\d{3}Z$/, "Z");
        const nil = (value: string | undefined): string => value ?? "-";
        const sd = m.structuredData === undefined ? "-" : sdText(m.structuredData);
        const line = `<${m.pri.facility * 8 + m.pri.severity}>1 ${time} ${nil(m.hostname)} ${nil(m.appName)} ${nil(m.procId)} ${nil(m.msgId)} ${sd} ${m.bom ? "\uFEFF" : ""}${m.text}`;
        const result = parseSyslog(line, options);
        const expected: SyslogMessage = {
          format: "rfc5424",
          ...m.pri,
          version: 1,
          timestamp: Date.parse(time) / 1000,
          ...(m.hostname === undefined ? {} : { hostname: m.hostname }),
          ...(m.appName === undefined ? {} : { appName: m.appName }),
          ...(m.procId === undefined ? {} : { procId: m.procId }),
          ...(m.msgId === undefined ? {} : { msgId: m.msgId }),
          ...(m.structuredData === undefined ? {} : { structuredData: m.structuredData }),
          // Trailing line ends are framing, not text.
          text: m.text.replace(/[\r\n\0]+$/, ""),
        };
        expect(result).toEqual({ ok: true, message: expected });
      }),
      { numRuns: 1000 },
    );
  });

  it("gives back host, program, pid, text and the inferred time of an RFC 3164 line", () => {
    const line = fc.record({
      pri,
      // Within the year before NOW: the inferred year is then the true one.
      ms: fc.integer({ min: NOW - 360 * 86_400_000, max: NOW }).map((ms) => ms - (ms % 1000)),
      hostname: printable(1, 64).filter((s) => !s.includes(":") && !s.includes("[")),
      appName: fc.string({ unit: fc.constantFrom(..."abcsshd-_./019"), minLength: 1, maxLength: 32 }),
      pid: fc.option(fc.integer({ min: 1, max: 4_194_304 }), { nil: undefined }),
      text: syslogText.filter((text) => text.trim() !== "" && !text.startsWith(" ")),
    });
    fc.assert(
      fc.property(line, (l) => {
        const date = new Date(l.ms);
        const pad = (n: number): string => String(n).padStart(2, "0");
        const stamp = `${MONTHS[date.getUTCMonth()]} ${String(date.getUTCDate()).padStart(2, " ")} ${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}`;
        const tag = `${l.appName}${l.pid === undefined ? "" : `[${l.pid}]`}: `;
        const result = parseSyslog(
          `<${l.pri.facility * 8 + l.pri.severity}>${stamp} ${l.hostname} ${tag}${l.text}`,
          options,
        );
        expect(result).toEqual({
          ok: true,
          message: {
            format: "rfc3164",
            ...l.pri,
            timestamp: l.ms / 1000,
            hostname: l.hostname,
            appName: l.appName,
            ...(l.pid === undefined ? {} : { procId: String(l.pid) }),
            text: l.text.replace(/[\r\n\0]+$/, ""),
          },
        });
      }),
      { numRuns: 1000 },
    );
  });
});

describe("parseSyslog, on hostile input of the largest size", () => {
  const SIZE = 64 * 1024;
  const fill = (prefix: string, unit: string): string =>
    prefix + unit.repeat(Math.ceil((SIZE - prefix.length) / unit.length)).slice(0, SIZE - prefix.length);
  const cases: Record<string, string> = {
    "unterminated SD params": fill("<13>1 - h a - - [x", ' a="'),
    "backslashes in an SD value": fill('<13>1 - h a - - [x a="', "\\"),
    "many SD elements": fill("<13>1 - h a - - ", "[x]"),
    spaces: fill("<13>", " "),
    "line ends before text": `${"\n".repeat(SIZE - 2)}a\n`,
    "colons and brackets after the time": fill("<13>Mar 10 06:55:46 ", "a[:"),
    "a PRI without its close": fill("<", "1"),
    "long tag": fill("<13>Mar 10 06:55:46 h ", "a"),
  };
  it.each(Object.entries(cases))("%s: parsed in linear time", (_name, input) => {
    parseSyslog(input, options);
    const started = performance.now();
    for (let i = 0; i < 10; i++) parseSyslog(input, options);
    // Ten parses of 64 KiB; a quadratic scan would take seconds.
    expect(performance.now() - started).toBeLessThan(250);
  });
});
