/** Realistic log lines and processed documents for the benchmarks: sshd failures, web requests, errors. */
import type { ProcessedLog } from "@soc/shared";

const TEMPLATES = [
  (i: number) =>
    `sshd[${1000 + (i % 9000)}]: Failed password for invalid user admin from 203.0.${i % 250}.${(i * 7) % 250} port ${40000 + (i % 20000)} ssh2`,
  (i: number) => `nginx: 198.51.100.${i % 250} - - "GET /api/items/${i % 500} HTTP/1.1" 200 512 "-" "curl/8.0"`,
  (i: number) => `app: request ${i} completed in ${i % 90} ms for tenant ${i % 40}`,
  (i: number) => `app: error while processing job ${i}: connection reset by peer`,
];

export function logLine(i: number): string {
  return (TEMPLATES[i % TEMPLATES.length] as (i: number) => string)(i);
}

export function processedDoc(i: number, baseSeconds: number): ProcessedLog {
  const anomaly = i % 4 === 0 || i % 4 === 3;
  return {
    id: `bench-${i}`,
    message: logLine(i),
    timestamp: baseSeconds + i / 1000,
    status: "new",
    is_anomaly: anomaly,
    reason: anomaly ? "Log contains anomalous keyword." : null,
    source_ip: `203.0.${i % 250}.${(i * 7) % 250}`,
    rule: anomaly ? "keyword" : null,
    source: "bench",
    ingested_at: Date.now(),
  };
}
