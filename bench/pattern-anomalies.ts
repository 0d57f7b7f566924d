/**
 * The learned rules, unsupervised, on loghub's labelled BGL sample (testdata/loghub/BGL_2k.log_structured.csv,
 * or LOGHUB_DIR): each line rebuilt without its label field ("-" is normal, anything else an alert),
 * fed in order as one source with its own event time, in batches of 500 as the worker runs them.
 * Per line: is it raised at medium severity or above, against the truth; the keyword rule alone
 * (the pipeline without mining) in the same run. Nothing is tuned on the labels.
 * Usage: npx tsx bench/pattern-anomalies.ts [--write]   (--write puts the table in docs/benchmarks.md)
 */
import { readFileSync, writeFileSync } from "node:fs";
import { Whitelist, type AnomalySeverity } from "@soc/shared";
import { createMemoryCounters, createMemoryPatternCatalogue } from "@soc/shared/memory";
import {
  createAnalyzer,
  createMemoryTemplateStore,
  createPatternAssigner,
  DEFAULT_KEYWORDS,
  type DetectionConfig,
} from "@soc/worker";
import { PATTERN_DEFAULTS, type PatternSettings } from "../services/worker/src/detection/config.ts";
import { loghubDir, parseCsv } from "../services/worker/src/patterns/loghub-structured.ts";

const write = process.argv.includes("--write");
const [header = [], ...rows] = parseCsv(readFileSync(`${loghubDir()}/BGL_2k.log_structured.csv`, "utf8"));
const column = (name: string): number => header.indexOf(name);
const RAW_FIELDS = ["Timestamp", "Date", "Node", "Time", "NodeRepeat", "Type", "Component", "Level", "Content"].map(
  column,
);
const lines = rows
  .filter((row) => row.length === header.length)
  .map((row) => ({
    message: RAW_FIELDS.map((i) => row[i]).join(" "),
    timestamp: Number(row[column("Timestamp")]),
    alert: row[column("Label")] !== "-",
  }));

const base: DetectionConfig = {
  keywords: DEFAULT_KEYWORDS,
  bruteForce: { threshold: 5, windowSeconds: 300 },
  spike: { baselineMinutes: 60, minRequestsPerMinute: 30, sigma: 3 },
};
const MEDIUM_OR_ABOVE: readonly AnomalySeverity[] = ["medium", "high", "critical"];

/** Severity and rule per line, through the detection core as the worker runs it. */
async function run(
  patterns: PatternSettings | null,
): Promise<{ severity: AnomalySeverity | null; rule: string | null }[]> {
  const config = patterns === null ? base : { ...base, patterns };
  const assigner =
    patterns === null
      ? undefined
      : createPatternAssigner({ store: createMemoryTemplateStore(), catalogue: createMemoryPatternCatalogue() });
  const analyze = createAnalyzer(config, createMemoryCounters(), assigner);
  const verdicts: { severity: AnomalySeverity | null; rule: string | null }[] = [];
  for (let start = 0; start < lines.length; start += 500) {
    const batch = lines.slice(start, start + 500).map((line, i) => ({
      log: { message: line.message, source: "bgl", timestamp: line.timestamp },
      eventId: `bgl-0-${start + i}`,
    }));
    for (const { verdict } of await analyze(batch, new Whitelist(), 0))
      verdicts.push({ severity: verdict.severity, rule: verdict.rule });
  }
  return verdicts;
}

function score(raised: boolean[]): { raised: number; precision: number; recall: number; f1: number } {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  raised.forEach((flag, i) => {
    const alert = (lines[i] as { alert: boolean }).alert;
    if (flag && alert) tp++;
    else if (flag) fp++;
    else if (alert) fn++;
  });
  const precision = tp + fp === 0 ? 0 : tp / (tp + fp);
  const recall = tp + fn === 0 ? 0 : tp / (tp + fn);
  return {
    raised: tp + fp,
    precision,
    recall,
    f1: precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall),
  };
}

const keywordOnly = await run(null);
const cases: { name: string; raised: boolean[] }[] = [
  { name: "keyword rule alone (no mining)", raised: keywordOnly.map((v) => v.rule === "keyword") },
];
for (const familiarAfterLines of [PATTERN_DEFAULTS.familiarAfterLines, 100, 20]) {
  const settings = { ...PATTERN_DEFAULTS, familiarAfterLines };
  const verdicts = await run(settings);
  const label = `learned, familiar after ${familiarAfterLines} lines${familiarAfterLines === PATTERN_DEFAULTS.familiarAfterLines ? " (default)" : ""}`;
  cases.push({
    name: `${label}: medium or above`,
    raised: verdicts.map((v) => v.severity !== null && MEDIUM_OR_ABOVE.includes(v.severity)),
  });
  if (familiarAfterLines === PATTERN_DEFAULTS.familiarAfterLines) {
    cases.push({
      name: `${label}: low or above (new patterns too)`,
      raised: verdicts.map((v) => v.severity !== null && v.severity !== "info"),
    });
    const byRule = new Map<string, number>();
    for (const v of verdicts)
      if (v.rule !== null) byRule.set(`${v.rule}/${v.severity}`, (byRule.get(`${v.rule}/${v.severity}`) ?? 0) + 1);
    console.error(JSON.stringify({ verdictsByRuleAndSeverity: Object.fromEntries(byRule) }));
  }
}

const alerts = lines.filter((line) => line.alert).length;
const rowsOut = cases.map(({ name, raised }) => ({ name, ...score(raised) }));
const table = [
  "| what is raised | lines raised | precision | recall | F1 |",
  "|---|---|---|---|---|",
  ...rowsOut.map(
    (r) => `| ${r.name} | ${r.raised} | ${r.precision.toFixed(3)} | ${r.recall.toFixed(3)} | ${r.f1.toFixed(3)} |`,
  ),
].join("\n");
console.log(
  JSON.stringify({
    bench: "pattern-anomalies",
    lines: lines.length,
    alerts,
    settings: PATTERN_DEFAULTS,
    results: rowsOut,
  }),
);
if (write) {
  const docs = "docs/benchmarks.md";
  const text = readFileSync(docs, "utf8");
  const [begin, end] = ["<!-- pattern-anomalies-table:begin -->", "<!-- pattern-anomalies-table:end -->"];
  if (!text.includes(begin)) throw new Error(`${docs} has no ${begin} marker`);
  writeFileSync(
    docs,
    `${text.slice(0, text.indexOf(begin) + begin.length)}\n${table}\n${text.slice(text.indexOf(end))}`,
  );
} else console.log(table);
