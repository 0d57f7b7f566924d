/**
 * Log-pattern mining against Drain3: grouping accuracy and lines/s on loghub's twelve 2k samples
 * (the `Content` column of each `*_structured.csv`), ours and Drain3 0.9.11 with its defaults in the
 * same run. Each round mines every set once with a fresh miner, Drain3 then ours, so both meet the
 * same load; lines/s is per second of the process's CPU time (wall time on the shared two cores
 * measures the neighbours), a set's best round, after one untimed pass of ours (the JIT's warm-up).
 * Accuracy is the last round's; both miners are deterministic.
 * Usage: npx tsx bench/patterns.ts [rounds] [--write]   (--write puts the table in docs/benchmarks.md)
 */
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { groupingAccuracy } from "../services/worker/src/patterns/grouping-accuracy.ts";
import {
  hasLoghubTemplates,
  LOGHUB_SETS,
  loghubDir,
  readLabelledLines,
} from "../services/worker/src/patterns/loghub-structured.ts";
import { PatternMiner } from "../services/worker/src/patterns/miner.ts";

const rounds = Number(process.argv[2] ?? 20);
const write = process.argv.includes("--write");
if (!hasLoghubTemplates()) throw new Error(`no loghub *_structured.csv in ${loghubDir()}; set LOGHUB_DIR`);

const sets = LOGHUB_SETS.map((name) => ({ name, ...readLabelledLines(name) }));

function mineOurs(contents: string[]): { asReturned: string[]; resolved: string[]; seconds: number } {
  const miner = new PatternMiner();
  const started = process.cpuUsage();
  const asReturned = contents.map((content) => miner.add(content).id);
  const used = process.cpuUsage(started);
  const seconds = (used.user + used.system) / 1e6;
  return { asReturned, resolved: asReturned.map((id) => miner.resolve(id)), seconds };
}

interface Drain3Result {
  ids: string[];
  lines_per_second: number;
}

const python = execFileSync("bash", ["scripts/infra/drain3-venv.sh"], { encoding: "utf8" }).trim();
const drain3Request = JSON.stringify({
  rounds: 1,
  sets: Object.fromEntries(sets.map((set) => [set.name, set.contents])),
});
const mineDrain3 = (): Record<string, Drain3Result> =>
  JSON.parse(
    execFileSync(python, ["bench/patterns_drain3.py"], {
      input: drain3Request,
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024,
    }),
  ) as Record<string, Drain3Result>;

for (const set of sets) mineOurs(set.contents);
const best = new Map(sets.map((set) => [set.name, { ours: 0, drain3: 0 }]));
let lastDrain3: Record<string, Drain3Result> = {};
let lastOurs: ReturnType<typeof mineOurs>[] = [];
for (let round = 0; round < rounds; round++) {
  lastDrain3 = mineDrain3();
  lastOurs = sets.map((set) => mineOurs(set.contents));
  for (const [i, set] of sets.entries()) {
    const figures = best.get(set.name) as { ours: number; drain3: number };
    figures.ours = Math.max(figures.ours, set.contents.length / (lastOurs[i] as ReturnType<typeof mineOurs>).seconds);
    figures.drain3 = Math.max(figures.drain3, (lastDrain3[set.name] as Drain3Result).lines_per_second);
  }
}
const rows = sets.map((set, i) => {
  const ours = lastOurs[i] as ReturnType<typeof mineOurs>;
  const figures = best.get(set.name) as { ours: number; drain3: number };
  return {
    set: set.name,
    ours: groupingAccuracy(ours.resolved, set.events),
    oursAsReturned: groupingAccuracy(ours.asReturned, set.events),
    drain3: groupingAccuracy((lastDrain3[set.name] as Drain3Result).ids, set.events),
    oursLinesPerSecond: Math.round(figures.ours),
    drain3LinesPerSecond: Math.round(figures.drain3),
  };
});

const mean = (pick: (row: (typeof rows)[number]) => number): number =>
  rows.reduce((sum, row) => sum + pick(row), 0) / rows.length;
const fixed = (value: number): string => value.toFixed(3);
const count = (value: number): string => Math.round(value).toLocaleString("en-US");
const table = [
  "| set | ours | ours, ids as first returned | Drain3 | ours lines/s | Drain3 lines/s |",
  "|---|---|---|---|---|---|",
  ...rows.map(
    (r) =>
      `| ${r.set} | ${fixed(r.ours)} | ${fixed(r.oursAsReturned)} | ${fixed(r.drain3)} | ${count(r.oursLinesPerSecond)} | ${count(r.drain3LinesPerSecond)} |`,
  ),
  `| **average** | **${fixed(mean((r) => r.ours))}** | ${fixed(mean((r) => r.oursAsReturned))} | **${fixed(mean((r) => r.drain3))}** | ${count(mean((r) => r.oursLinesPerSecond))} | ${count(mean((r) => r.drain3LinesPerSecond))} |`,
].join("\n");

if (write) {
  const path = "docs/benchmarks.md";
  const docs = readFileSync(path, "utf8");
  const begin = "<!-- patterns-table:begin -->";
  const end = "<!-- patterns-table:end -->";
  if (!docs.includes(begin) || !docs.includes(end)) throw new Error(`${path} has no ${begin} … ${end} section`);
  writeFileSync(
    path,
    `${docs.slice(0, docs.indexOf(begin) + begin.length)}\n${table}\n${docs.slice(docs.indexOf(end))}`,
  );
} else console.log(table);
console.log(
  JSON.stringify({
    bench: "log-patterns",
    rounds,
    averageAccuracy: +fixed(mean((r) => r.ours)),
    drain3AverageAccuracy: +fixed(mean((r) => r.drain3)),
    rows,
  }),
);
