/**
 * HTTP ingest throughput: single-log POSTs and 100-log batch POSTs against the API in its own
 * process, answered only after the bus acknowledged. Usage: [KAFKA_BROKER=...] npx tsx bench/http-ingest.ts [seconds]
 */
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import autocannon from "autocannon";
import { logLine } from "./documents.ts";

const BENCH_KEY = "bench-ingest-key-0123456789";
const duration = Number(process.argv[2] ?? 10);
const server = spawn("npx", ["tsx", "bench/ingest-server.ts"], { stdio: ["ignore", "pipe", "inherit"], env: process.env });
const first = await new Promise<string>((resolve) => createInterface({ input: server.stdout }).once("line", resolve));
const { port, bus } = JSON.parse(first) as { port: number; bus: string };
const headers = { authorization: `Bearer ${BENCH_KEY}`, "content-type": "application/json" };

async function run(name: string, body: string, logsPerRequest: number, connections: number): Promise<Record<string, unknown>> {
  const result = await autocannon({ url: `http://127.0.0.1:${port}/logs`, method: "POST", headers, body, connections, duration });
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${name}: ${result.non2xx} non-2xx answers, ${result.errors} errors`);
  return {
    bench: `http-ingest-${name}`,
    bus,
    connections,
    requestsPerSecond: Math.round(result.requests.average),
    logsPerSecond: Math.round(result.requests.average * logsPerRequest),
    latencyP50Ms: result.latency.p50,
    latencyP99Ms: result.latency.p99,
  };
}

try {
  console.log(JSON.stringify(await run("single", JSON.stringify({ message: logLine(0) }), 1, 50)));
  const batch = JSON.stringify(Array.from({ length: 100 }, (_, i) => ({ message: logLine(i) })));
  console.log(JSON.stringify(await run("batch100", batch, 100, 10)));
} finally {
  server.kill("SIGTERM");
}
