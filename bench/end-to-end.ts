/**
 * End to end on the real servers, the API and the worker as their own processes: throughput (N logs
 * POSTed in batches, timed until all are searchable in Elasticsearch), then latency from POST to
 * searchable at a steady 2,000 logs/s. Usage: (infra env) npx tsx bench/end-to-end.ts [logs]
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { Client } from "@elastic/elasticsearch";
import { logLine } from "./documents.ts";

const total = Number(process.argv[2] ?? 100_000);
const batchSize = 1_000;
const senders = 4;
const name = `bench-e2e-${Date.now().toString(36)}`;
const index = `${name}-processed-logs`;
const key = "bench-admin-key-0123456789";
const apiPort = 20_000 + Math.floor(Math.random() * 10_000);
const api = `http://127.0.0.1:${apiPort}`;
const es = new Client({ node: process.env.ELASTICSEARCH_URL ?? "http://127.0.0.1:19200" });
const env = {
  ...process.env,
  API_PORT: String(apiPort),
  API_KEYS: `admin:${key}`,
  ELASTICSEARCH_INDEX: index,
  WORKER_GROUP_ID: `${name}-worker`,
  TOPIC_LOGS: `${name}-logs`,
  TOPIC_CONFIG_UPDATES: `${name}-config-updates`,
  TOPIC_HIGH_PRIORITY_ALERTS: `${name}-alerts`,
  WHITELISTED_IPS: "10.0.0.1",
  WORKER_METRICS_PORT: "0",
  LOG_LEVEL: "warn",
};
const children: ChildProcess[] = [];
const start = (entry: string): void =>
  void children.push(spawn("npx", ["tsx", entry], { env, stdio: ["ignore", "ignore", "inherit"], detached: true }));
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const post = (body: unknown): Promise<Response> =>
  fetch(`${api}/logs`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
const count = async (): Promise<number> => (await es.count({ index }).catch(() => ({ count: 0 }))).count;

try {
  start("services/api/src/main.ts");
  start("services/worker/src/main.ts");
  for (;;) {
    const ready = await fetch(`${api}/readyz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) break;
    await sleep(250);
  }
  await sleep(5_000); // the worker's consumer group settles

  // Phase 1, throughput: N logs as fast as the API takes them, timed until all are searchable.
  const started = performance.now();
  let next = 0;
  const send = async (): Promise<void> => {
    while (next < total) {
      const from = next;
      next += batchSize;
      const batch = Array.from({ length: Math.min(batchSize, total - from) }, (_, i) => ({
        message: logLine(from + i),
      }));
      const response = await post(batch);
      if (!response.ok) throw new Error(`POST /logs answered ${response.status}`);
    }
  };
  await Promise.all(Array.from({ length: senders }, send));
  const acceptedSeconds = (performance.now() - started) / 1000;
  while ((await count()) < total) await sleep(100);
  const searchableSeconds = (performance.now() - started) / 1000;

  // Phase 2, latency at a steady rate below capacity: 100-log batches every 50 ms (2,000 logs/s)
  // for 15 s, with a probe every 250 ms timed from POST to searchable.
  const latencies: number[] = [];
  const pending: Promise<unknown>[] = [];
  const probe = async (): Promise<void> => {
    const token = randomUUID().replaceAll("-", "");
    const sent = performance.now();
    if (!(await post({ message: `probe ${token}` })).ok) return;
    for (;;) {
      const found = await es.search({ index, size: 0, query: { match: { message: token } } }).catch(() => null);
      if (
        found !== null &&
        (typeof found.hits.total === "number" ? found.hits.total : (found.hits.total?.value ?? 0)) > 0
      )
        break;
      await sleep(25);
    }
    latencies.push(performance.now() - sent);
  };
  let steadyLogs = 0;
  const load = setInterval(() => {
    pending.push(post(Array.from({ length: 100 }, (_, i) => ({ message: logLine(steadyLogs + i) }))));
    steadyLogs += 100;
  }, 50);
  const prober = setInterval(() => pending.push(probe()), 250);
  await sleep(15_000);
  clearInterval(load);
  clearInterval(prober);
  await Promise.all(pending);
  latencies.sort((a, b) => a - b);
  const quantile = (q: number): number =>
    Math.round(latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0);
  console.log(
    JSON.stringify({
      bench: "end-to-end",
      logs: total,
      acceptedPerSecond: Math.round(total / acceptedSeconds),
      searchablePerSecond: Math.round(total / searchableSeconds),
      seconds: +searchableSeconds.toFixed(2),
      steadyRatePerSecond: 2_000,
      probes: latencies.length,
      latencyP50Ms: quantile(0.5),
      latencyP99Ms: quantile(0.99),
    }),
  );
} finally {
  for (const child of children) if (child.pid !== undefined) process.kill(-child.pid, "SIGTERM");
  await es.indices.delete({ index }).catch(() => undefined);
  await es.close();
}
