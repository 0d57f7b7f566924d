/**
 * Source-address enrichment with the bundled databases: load time and memory, then lookups/s for
 * distinct public addresses (every one a database lookup) and for a repeating set (the cache), per
 * second of the process's CPU time (wall time on the shared cores measures the neighbours).
 * Usage: node --expose-gc --conditions=development --import tsx bench/enrichment.ts [lookups]
 */
import { openEnrichment } from "../services/worker/src/enrichment/databases.ts";

const lookups = Number(process.argv[2] ?? 200_000);
const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);
const megabytes = (bytes: number) => Math.round(bytes / 2 ** 20);

gc();
const before = process.memoryUsage();
const loadStart = process.cpuUsage();
const enrich = await openEnrichment({ cacheSize: 10_000 });
const loadCpu = process.cpuUsage(loadStart);
gc();
const after = process.memoryUsage();

// Deterministic pseudo-random IPv4 addresses, most of them public.
let seed = 1;
const nextAddress = () => {
  seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0;
  return [seed >>> 24, (seed >>> 16) & 255, (seed >>> 8) & 255, seed & 255].join(".");
};
const distinct = Array.from({ length: lookups }, nextAddress);
const repeating = Array.from({ length: lookups }, (_, i) => distinct[i % 1000] as string);

function perCpuSecond(addresses: string[]): number {
  const start = process.cpuUsage();
  let found = 0;
  for (const address of addresses) if (enrich(address) !== undefined) found++;
  const cpu = process.cpuUsage(start);
  if (found === 0) throw new Error("no address was found: the databases are empty");
  return Math.round(addresses.length / ((cpu.user + cpu.system) / 1e6));
}

const uncached = perCpuSecond(distinct);
perCpuSecond(repeating);
const cached = perCpuSecond(repeating);
console.log(
  JSON.stringify({
    bench: "enrichment",
    lookups,
    load_cpu_ms: Math.round((loadCpu.user + loadCpu.system) / 1000),
    rss_mb: { before: megabytes(before.rss), after: megabytes(after.rss) },
    heap_and_external_mb: {
      before: megabytes(before.heapUsed + before.external),
      after: megabytes(after.heapUsed + after.external),
    },
    uncached_lookups_per_cpu_s: uncached,
    cached_lookups_per_cpu_s: cached,
  }),
);
