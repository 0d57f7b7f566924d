/**
 * Rule tests as data, for a rules repository's CI: `tests/<name>.log` (one log per line: a syslog
 * line, whose header gives the event time, or a JSON `logs` message with its `timestamp`) and
 * `tests/<name>.expected.yaml` (the alerts the rules must raise on it, in any order, and no others).
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { logMessageSchema, Whitelist, type LogMessage } from "@soc/shared";
import { createMemoryCounters } from "@soc/shared/memory";
import { z } from "zod";
import { syslogTime } from "../loghub.ts";
import { createRuleEngine } from "./engine.ts";
import { parseYamlDocuments } from "./load.ts";
import { InvalidRuleError, type DataRule } from "./schema.ts";

/** An expected alert: the rule and key always; line, count, severity and reason when given. */
const expectedAlertSchema = z.strictObject({
  rule: z.string().min(1),
  key: z.string().min(1),
  line: z.number().int().min(1).optional(),
  count: z.number().int().min(1).optional(),
  severity: z.string().optional(),
  reason: z.string().optional(),
});
export type ExpectedAlert = z.infer<typeof expectedAlertSchema>;
const expectedFileSchema = z.array(expectedAlertSchema);

/** A raised alert, with the fixture line that raised it. */
export interface RaisedAlert {
  rule: string;
  key: string;
  line: number;
  count: number;
  severity: string;
  reason: string;
}

export interface FixtureResult {
  name: string;
  missing: ExpectedAlert[];
  unexpected: RaisedAlert[];
}

const SYSLOG_TIME = /^(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) {1,2}\d{1,2} \d{2}:\d{2}:\d{2}\b/;

/** The line's `logs` message; JSON lines are validated as the topic's messages are. */
export function fixtureLog(line: string, lineNumber: number, origin: string): LogMessage {
  if (line.startsWith("{")) {
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      throw new InvalidRuleError(`${origin}:${lineNumber}: not valid JSON`);
    }
    const parsed = logMessageSchema.safeParse(json);
    if (!parsed.success)
      throw new InvalidRuleError(
        `${origin}:${lineNumber}: not a logs message: ${parsed.error.issues.map((i) => `${i.path.join(".") || "(message)"}: ${i.message}`).join("; ")}`,
      );
    if (parsed.data.timestamp === undefined)
      throw new InvalidRuleError(`${origin}:${lineNumber}: needs a timestamp (rules count in event time)`);
    return parsed.data;
  }
  const timestamp = SYSLOG_TIME.test(line) ? syslogTime(line) : Number.NaN;
  if (!Number.isFinite(timestamp))
    throw new InvalidRuleError(
      `${origin}:${lineNumber}: no syslog time (Mmm dd hh:mm:ss) at the start; write the line as JSON {"message", "timestamp"}`,
    );
  return { message: line, timestamp };
}

const agrees = (expected: ExpectedAlert, raised: RaisedAlert): boolean =>
  (Object.entries(expected) as [keyof ExpectedAlert, unknown][]).every(([field, value]) => raised[field] === value);

/** Pairs each expected alert with a raised one that agrees on every field it gives; the rest are the diff. */
export function compareAlerts(name: string, expected: ExpectedAlert[], raised: RaisedAlert[]): FixtureResult {
  const unmatched = [...raised];
  const missing: ExpectedAlert[] = [];
  for (const want of expected) {
    const at = unmatched.findIndex((alert) => agrees(want, alert));
    if (at === -1) missing.push(want);
    else unmatched.splice(at, 1);
  }
  return { name, missing, unexpected: unmatched };
}

export async function runFixture(
  rules: readonly DataRule[],
  name: string,
  logText: string,
  expectedText: string,
): Promise<FixtureResult> {
  const [expectedDocument = []] = parseYamlDocuments(expectedText, `${name}.expected.yaml`);
  const expected = expectedFileSchema.safeParse(expectedDocument);
  if (!expected.success)
    throw new InvalidRuleError(
      `${name}.expected.yaml: ${expected.error.issues.map((i) => `${i.path.join(".") || "(file)"}: ${i.message}`).join("; ")}`,
    );
  const lines = logText
    .split("\n")
    .map((line, i) => ({ line: line.trimEnd(), number: i + 1 }))
    .filter(({ line }) => line !== "");
  const inputs = lines.map(({ line, number }) => ({
    log: fixtureLog(line, number, `${name}.log`),
    eventId: `${name}:${number}`,
  }));
  const evaluate = createRuleEngine(rules, createMemoryCounters());
  const alerts = await evaluate(inputs, new Whitelist(), 0);
  const raised = alerts.flatMap((found, i) =>
    found.map((alert) => ({
      rule: alert.rule,
      key: alert.key,
      line: (lines[i] as { number: number }).number,
      count: alert.count,
      severity: alert.severity,
      reason: alert.reason,
    })),
  );
  return compareAlerts(name, expected.data, raised);
}

/** Every `tests/<name>.log` of a rules directory with its expected alerts (a missing expectation file is an error). */
export async function runFixtures(rules: readonly DataRule[], dir: string): Promise<FixtureResult[]> {
  const testsDir = join(dir, "tests");
  const names = readdirSync(testsDir)
    .filter((file) => file.endsWith(".log"))
    .map((file) => file.slice(0, -".log".length))
    .sort();
  const results: FixtureResult[] = [];
  for (const name of names) {
    let expectedText: string;
    try {
      expectedText = readFileSync(join(testsDir, `${name}.expected.yaml`), "utf8");
    } catch {
      throw new InvalidRuleError(`tests/${name}.log has no tests/${name}.expected.yaml`);
    }
    results.push(await runFixture(rules, name, readFileSync(join(testsDir, `${name}.log`), "utf8"), expectedText));
  }
  return results;
}

const describeExpected = (alert: ExpectedAlert): string =>
  `${alert.line === undefined ? "" : `line ${alert.line}: `}${alert.rule} ${alert.key}${alert.count === undefined ? "" : ` (count ${alert.count})`}${alert.reason === undefined ? "" : ` "${alert.reason}"`}`;
const describeRaised = (alert: RaisedAlert): string =>
  `line ${alert.line}: ${alert.rule} ${alert.key} (count ${alert.count}, ${alert.severity}) "${alert.reason}"`;

/** A readable report: one line per fixture, and for a failing one `-` expected but not raised, `+` raised but not expected. */
export function formatResults(results: readonly FixtureResult[]): string {
  const out: string[] = [];
  for (const result of results) {
    const passed = result.missing.length === 0 && result.unexpected.length === 0;
    out.push(`${passed ? "PASS" : "FAIL"} ${result.name}`);
    for (const alert of result.missing) out.push(`  - expected, not raised: ${describeExpected(alert)}`);
    for (const alert of result.unexpected) out.push(`  + raised, not expected: ${describeRaised(alert)}`);
  }
  const failed = results.filter((r) => r.missing.length > 0 || r.unexpected.length > 0).length;
  out.push(`${results.length - failed} passed, ${failed} failed`);
  return out.join("\n");
}
