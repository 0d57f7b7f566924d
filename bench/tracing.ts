/**
 * What tracing costs the worker: logs/s through the worker (in-memory bus, store and counters, so
 * only the pipeline's own code is measured) with no OTLP endpoint (no SDK), with the SDK sampling
 * every trace, and sampling 10 %, exporting to the loopback Jaeger of `make infra-up`. Each log is
 * published in a request span of its own, as POST /logs does, so every message carries a context.
 * Each mode runs in its own process (the SDK is process-wide).
 * Usage: npx tsx bench/tracing.ts [logs]   (JAEGER_OTLP_ENDPOINT from infra.env)
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { trace } from "@opentelemetry/api";
import { silentLogger, TOPICS } from "@soc/shared";
import { createMemoryBus, createMemoryCounters, createMemoryStore } from "@soc/shared/memory";
import { createRegistry, startTracing } from "@soc/shared/telemetry";
import { createWorker, DEFAULT_KEYWORDS } from "@soc/worker";

const total = Number(process.argv[2] ?? 50_000);
const MODES = {
  off: {},
  "sampled 100 %": { OTEL_TRACES_SAMPLER: "parentbased_traceidratio", OTEL_TRACES_SAMPLER_ARG: "1" },
  "sampled 10 %": { OTEL_TRACES_SAMPLER: "parentbased_traceidratio", OTEL_TRACES_SAMPLER_ARG: "0.1" },
} as const;
type Mode = keyof typeof MODES;

async function measure(mode: Mode): Promise<void> {
  const tracing = startTracing("bench-worker", mode === "off" ? undefined : process.env.JAEGER_OTLP_ENDPOINT);
  await tracing.ready;
  const bus = createMemoryBus({ retainMessages: 1_000 });
  const store = createMemoryStore();
  const detection = {
    keywords: DEFAULT_KEYWORDS,
    bruteForce: { threshold: 5, windowSeconds: 300 },
    spike: { baselineMinutes: 60, minRequestsPerMinute: 1_000_000, sigma: 3 },
  };
  const worker = createWorker({
    bus,
    store,
    counters: createMemoryCounters(),
    detection,
    whitelistSeed: [],
    logger: silentLogger(),
    registry: createRegistry("bench", { defaultMetrics: false }),
  });
  await worker.start();
  const tracer = trace.getTracer("bench");
  const started = performance.now();
  for (let i = 0; i < total; i++) {
    // One in ten is a failed login, so brute forces raise alerts (and their send spans) as in production.
    const message =
      i % 10 === 0
        ? `Failed password for root from 198.51.${(i >> 8) % 250}.${i % 250} port 22 ssh2`
        : `GET /api/items/${i} 200 from 203.0.113.${i % 250}`;
    await tracer.startActiveSpan("POST /logs", async (span) => {
      await bus.publish(TOPICS.logs, [
        { value: JSON.stringify({ message, timestamp: 1_700_000_000 + i / 100, received_at: Date.now() }) },
      ]);
      span.end();
    });
  }
  while ((await store.search({ size: 1 })).total < total) await new Promise((resolve) => setTimeout(resolve, 5));
  const seconds = (performance.now() - started) / 1000;
  await worker.stop();
  await tracing.shutdown();
  console.log(
    JSON.stringify({
      bench: "tracing",
      mode,
      logs: total,
      seconds: +seconds.toFixed(2),
      logsPerSecond: Math.round(total / seconds),
    }),
  );
}

const mode = process.env.BENCH_TRACING_MODE as Mode | undefined;
if (mode !== undefined) await measure(mode);
else {
  if (process.env.JAEGER_OTLP_ENDPOINT === undefined)
    throw new Error("JAEGER_OTLP_ENDPOINT is not set: source the infra env of make infra-up");
  for (const [name, env] of Object.entries(MODES)) {
    const run = spawnSync(
      process.execPath,
      ["--conditions=development", "--import", "tsx", fileURLToPath(import.meta.url), String(total)],
      {
        // The SDK's default batching (a 2,048-span queue: under overload it drops spans rather than slow the worker).
        env: { ...process.env, ...env, BENCH_TRACING_MODE: name },
        stdio: "inherit",
      },
    );
    if (run.status !== 0) process.exit(run.status ?? 1);
  }
}
