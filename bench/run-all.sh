#!/usr/bin/env bash
# Runs every benchmark of docs/benchmarks.md; each prints one JSON line. Needs the infra env
# (make bench sources it). Bounded: loopback only, fixed counts.
set -euo pipefail
cd "$(dirname "$0")/.."
npx tsx bench/detection.ts 400000
npx tsx bench/http-ingest.ts 10
npx tsx bench/es-bulk-ceiling.ts 100000
npx tsx bench/end-to-end.ts 100000
npx tsx bench/kafka-security.ts 100000
npx tsx bench/report.ts 1000000
npx tsx bench/operator.ts 20 5
npx tsx bench/secure-backends.ts 50000 5000
npx tsx bench/retention.ts 100000 40
npx tsx bench/patterns.ts 20
node --expose-gc --conditions=development --import tsx bench/enrichment.ts 200000
npx tsx bench/tracing.ts 20000
npx tsx bench/bans-stream.ts 10000 50
npx tsx bench/pattern-anomalies.ts
node --expose-gc --import tsx bench/pattern-soak.ts 400000
