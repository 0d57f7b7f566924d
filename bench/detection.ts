/**
 * Detection core throughput on one core: the loghub OpenSSH sample repeated, through features,
 * in-memory counters and rules, in batches as the worker runs it; then the same lines with template
 * mining on (in-memory template store and catalogue), which the learned rules need.
 * Usage: npx tsx bench/detection.ts [lines]
 */
import { Whitelist } from "@soc/shared";
import { createMemoryCounters, createMemoryPatternCatalogue } from "@soc/shared/memory";
import {
  createAnalyzer,
  createMemoryTemplateStore,
  createPatternAssigner,
  DEFAULT_KEYWORDS,
  type AnalysisInput,
  type Analyzer,
} from "@soc/worker";
import { readOpenSshSample } from "../services/worker/src/loghub.ts";

const total = Number(process.argv[2] ?? 400_000);
const sample = readOpenSshSample();
const detection = {
  keywords: DEFAULT_KEYWORDS,
  bruteForce: { threshold: 5, windowSeconds: 300 },
  spike: { baselineMinutes: 60, minRequestsPerMinute: 30, sigma: 3 },
};
const whitelist = new Whitelist(["10.0.0.0/8", "192.168.1.1"]);
const batchSize = 500;
// Each pass shifts event time by a day so windows and baselines keep working as on fresh traffic.
const batches: AnalysisInput[][] = [];
for (let start = 0; start < total; start += batchSize) {
  batches.push(
    Array.from({ length: Math.min(batchSize, total - start) }, (_, i) => {
      const n = start + i;
      const log = sample[n % sample.length] as (typeof sample)[number];
      return {
        log: { ...log, timestamp: (log.timestamp ?? 0) + Math.floor(n / sample.length) * 86_400 },
        eventId: `bench-${n}`,
      };
    }),
  );
}
async function measure(analyze: Analyzer): Promise<{ anomalies: number; seconds: number; linesPerSecond: number }> {
  let anomalies = 0;
  const started = performance.now();
  for (const batch of batches)
    for (const { verdict } of await analyze(batch, whitelist, 0)) if (verdict.is_anomaly) anomalies += 1;
  const seconds = (performance.now() - started) / 1000;
  return { anomalies, seconds: +seconds.toFixed(3), linesPerSecond: Math.round(total / seconds) };
}

const withoutMining = await measure(createAnalyzer(detection, createMemoryCounters()));
const withMining = await measure(
  createAnalyzer(
    detection,
    createMemoryCounters(),
    createPatternAssigner({ store: createMemoryTemplateStore(), catalogue: createMemoryPatternCatalogue() }),
  ),
);
console.log(JSON.stringify({ bench: "detection-core", lines: total, ...withoutMining, withMining }));
