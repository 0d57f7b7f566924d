/**
 * HTTP ingest throughput: single-log POSTs (50 connections) and 100-log batch POSTs (10 connections)
 * against the API in its own process, answered only after the bus acknowledged. The in-memory bus
 * and, when KAFKA_BROKER is set, the Kafka bus (acks=all) run in the same invocation, interleaved
 * round by round, so a shared machine's load hits both alike; the medians over the rounds are
 * printed last, with the range of the 1-minute load average.
 * Usage: [KAFKA_BROKER=...] npx tsx bench/http-ingest.ts [seconds per case] [rounds]
 */
import { spawn, type ChildProcess } from "node:child_process";
import { loadavg } from "node:os";
import { createInterface } from "node:readline";
import autocannon from "autocannon";
import { logLine } from "./documents.ts";

const BENCH_KEY = "bench-ingest-key-0123456789";

const duration = Number(process.argv[2] ?? 10);
const rounds = Number(process.argv[3] ?? 3);
const headers = { authorization: `Bearer ${BENCH_KEY}`, "content-type": "application/json" };

interface Variant {
  name: string;
  env: NodeJS.ProcessEnv;
}
const { KAFKA_BROKER: broker, ...withoutKafka } = process.env;
const variants: Variant[] = [
  { name: "memory", env: withoutKafka },
  ...(broker === undefined ? [] : [{ name: "kafka", env: process.env }]),
];

const cases = [
  { name: "single", body: JSON.stringify({ message: logLine(0) }), logsPerRequest: 1, connections: 50 },
  {
    name: "batch100",
    body: JSON.stringify(Array.from({ length: 100 }, (_, i) => ({ message: logLine(i) }))),
    logsPerRequest: 100,
    connections: 10,
  },
];

async function startServer(variant: Variant): Promise<{ port: number; process: ChildProcess }> {
  // node itself, not npx: SIGTERM then reaches the server rather than a wrapper that may outlive it.
  const server = spawn(process.execPath, ["--import", "tsx", "bench/ingest-server.ts"], {
    stdio: ["ignore", "pipe", "inherit"],
    env: variant.env,
  });
  const first = await new Promise<string>((resolve) =>
    createInterface({ input: server.stdout as NodeJS.ReadableStream }).once("line", resolve),
  );
  return { port: (JSON.parse(first) as { port: number }).port, process: server };
}

interface Run {
  case: string;
  bus: string;
  connections: number;
  requestsPerSecond: number;
  logsPerSecond: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  load1m: number;
}

async function run(port: number, bus: string, benchCase: (typeof cases)[number], seconds: number): Promise<Run> {
  const result = await autocannon({
    url: `http://127.0.0.1:${port}/logs`,
    method: "POST",
    headers,
    body: benchCase.body,
    connections: benchCase.connections,
    duration: seconds,
  });
  if (result.non2xx > 0 || result.errors > 0)
    throw new Error(`${benchCase.name} on ${bus}: ${result.non2xx} non-2xx answers, ${result.errors} errors`);
  return {
    case: benchCase.name,
    bus,
    connections: benchCase.connections,
    requestsPerSecond: Math.round(result.requests.average),
    logsPerSecond: Math.round(result.requests.average * benchCase.logsPerRequest),
    latencyP50Ms: result.latency.p50,
    latencyP99Ms: result.latency.p99,
    load1m: Number((loadavg()[0] ?? 0).toFixed(2)),
  };
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
};

const servers = await Promise.all(variants.map(async (variant) => ({ variant, ...(await startServer(variant)) })));
try {
  const runs: Run[] = [];
  for (const server of servers)
    for (const benchCase of cases) await run(server.port, server.variant.name, benchCase, 2); // warm-up
  for (let round = 0; round < rounds; round++) {
    for (const benchCase of cases) {
      // Rotating the order keeps any variant from always running first or last in a round.
      const order = servers.map((_, i) => servers[(i + round) % servers.length] as (typeof servers)[number]);
      for (const server of order) {
        const result = await run(server.port, server.variant.name, benchCase, duration);
        runs.push(result);
        console.log(JSON.stringify({ round: round + 1, ...result }));
      }
    }
  }
  for (const benchCase of cases) {
    for (const { variant } of servers) {
      const mine = runs.filter((r) => r.case === benchCase.name && r.bus === variant.name);
      console.log(
        JSON.stringify({
          bench: `http-ingest-${benchCase.name}`,
          bus: variant.name,
          rounds: mine.length,
          connections: benchCase.connections,
          medianRequestsPerSecond: median(mine.map((r) => r.requestsPerSecond)),
          medianLogsPerSecond: median(mine.map((r) => r.logsPerSecond)),
          medianLatencyP50Ms: median(mine.map((r) => r.latencyP50Ms)),
          medianLatencyP99Ms: median(mine.map((r) => r.latencyP99Ms)),
          load1m: `${Math.min(...mine.map((r) => r.load1m))}-${Math.max(...mine.map((r) => r.load1m))}`,
        }),
      );
    }
  }
} finally {
  for (const server of servers) server.process.kill("SIGTERM");
}
