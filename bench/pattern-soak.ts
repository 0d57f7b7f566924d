/**
 * Memory of the learned layer under a stream of random messages: the miners, the template store and
 * catalogue (in memory) and the per-template rate baselines, through the detection core as the
 * worker runs it. Random words, numbers and 16 sources make templates
 * without end; every bound must hold. Prints RSS, heap and what each part holds, over time.
 * Usage: node --expose-gc --import tsx bench/pattern-soak.ts [lines] [--write]
 */
import { readFileSync, writeFileSync } from "node:fs";
import { Whitelist } from "@soc/shared";
import { createMemoryCounters, createMemoryPatternCatalogue } from "@soc/shared/memory";
import { createAnalyzer, createMemoryTemplateStore, createPatternAssigner, DEFAULT_KEYWORDS } from "@soc/worker";

const total = Number(process.argv[2] ?? 1_000_000);
const write = process.argv.includes("--write");
const SOURCES = 16;
const WORDS = Array.from({ length: 5_000 }, (_, i) =>
  `w${i.toString(36)}x`.replace(/\d/g, (d) => "abcdefghij"[Number(d)] as string),
);
let seed = 42;
const random = (): number => (seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0) / 2 ** 32;
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
const message = (): string =>
  Array.from({ length: 4 + Math.floor(random() * 8) }, () =>
    random() < 0.3 ? String(Math.floor(random() * 1e6)) : pick(WORDS),
  ).join(" ");

const detection = {
  keywords: DEFAULT_KEYWORDS,
  bruteForce: { threshold: 5, windowSeconds: 300 },
  spike: { baselineMinutes: 60, minRequestsPerMinute: 30, sigma: 3 },
};
const counters = createMemoryCounters();
const catalogue = createMemoryPatternCatalogue();
const analyze = createAnalyzer(
  detection,
  counters,
  createPatternAssigner({ store: createMemoryTemplateStore(), catalogue }),
);
const whitelist = new Whitelist();
const gc = (globalThis as { gc?: () => void }).gc;
const mb = (bytes: number): number => Math.round(bytes / 2 ** 20);
const samples: {
  lines: number;
  rssMb: number;
  heapMb: number;
  catalogue: number;
  rateKeys: number;
  linesPerSecond: number;
}[] = [];
const every = Math.max(500, Math.floor(total / 10 / 500) * 500);
const T0 = 1_700_000_000;
let started = performance.now();
for (let done = 0; done < total; done += 500) {
  // 100 lines per second of event time: minutes pass, baselines roll.
  const batch = Array.from({ length: 500 }, (_, i) => ({
    log: { message: message(), source: `app-${Math.floor(random() * SOURCES)}`, timestamp: T0 + (done + i) / 100 },
    eventId: `soak-0-${done + i}`,
  }));
  await analyze(batch, whitelist, 0);
  if ((done + 500) % every === 0) {
    const seconds = (performance.now() - started) / 1000;
    gc?.();
    const memory = process.memoryUsage();
    samples.push({
      lines: done + 500,
      rssMb: mb(memory.rss),
      heapMb: mb(memory.heapUsed),
      catalogue: catalogue.size(),
      rateKeys: counters.sizes().rates,
      linesPerSecond: Math.round(every / seconds),
    });
    console.error(JSON.stringify(samples.at(-1)));
    started = performance.now();
  }
}
console.log(JSON.stringify({ bench: "pattern-soak", lines: total, sources: SOURCES, samples }));
if (write) {
  const table = [
    "| lines | RSS MiB | heap MiB (after GC) | catalogue templates | rate keys | lines/s |",
    "|---|---|---|---|---|---|",
    ...samples.map(
      (s) =>
        `| ${s.lines.toLocaleString("en")} | ${s.rssMb} | ${s.heapMb} | ${s.catalogue.toLocaleString("en")} | ${s.rateKeys.toLocaleString("en")} | ${s.linesPerSecond.toLocaleString("en")} |`,
    ),
  ].join("\n");
  const docs = "docs/benchmarks.md";
  const text = readFileSync(docs, "utf8");
  const [begin, end] = ["<!-- pattern-soak-table:begin -->", "<!-- pattern-soak-table:end -->"];
  if (!text.includes(begin)) throw new Error(`${docs} has no ${begin} marker`);
  writeFileSync(
    docs,
    `${text.slice(0, text.indexOf(begin) + begin.length)}\n${table}\n${text.slice(text.indexOf(end))}`,
  );
}
