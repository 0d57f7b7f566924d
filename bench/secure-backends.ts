/**
 * What TLS and authentication cost, in the same run: the worker's Elasticsearch bulk writes direct
 * vs through the nginx TLS front (API key), and detection-counter round trips on plain Redis vs
 * TLS Redis with an ACL user. Needs the infra env with the SECURE_* entries (make bench sources it).
 * Usage: npx tsx bench/secure-backends.ts [docs] [counterRoundTrips]
 */
import { z } from "zod";
import { checkElasticsearchEnv, checkRedisEnv, elasticsearchEnvShape, parseConfig, redisEnvShape } from "@soc/shared";
import {
  createElasticsearchStore,
  elasticsearchStoreOptionsOf,
  type ElasticsearchStoreOptions,
} from "@soc/shared/elasticsearch";
import { createRedisCounters, redisConnectionOf, type RedisConnection } from "@soc/shared/redis";
import { processedDoc } from "./documents.ts";

const docs = Number(process.argv[2] ?? 50_000);
const roundTrips = Number(process.argv[3] ?? 5_000);
const batchSize = 2_000;
const env = process.env;

const direct = elasticsearchStoreOptionsOf(
  parseConfig(z.object(elasticsearchEnvShape).superRefine(checkElasticsearchEnv), {
    ELASTICSEARCH_URL: env.ELASTICSEARCH_URL,
  }),
);
const viaTls = elasticsearchStoreOptionsOf(
  parseConfig(z.object(elasticsearchEnvShape).superRefine(checkElasticsearchEnv), {
    ELASTICSEARCH_URL: env.SECURE_ELASTICSEARCH_URL,
    ELASTICSEARCH_CA_FILE: env.SECURE_CA_FILE,
    ELASTICSEARCH_API_KEY_FILE: env.SECURE_ELASTICSEARCH_API_KEY_FILE,
  }),
);
const redisSchema = z.object(redisEnvShape).superRefine(checkRedisEnv);
const plainRedis = redisConnectionOf(parseConfig(redisSchema, { REDIS_URL: env.REDIS_URL }));
const tlsRedis = redisConnectionOf(
  parseConfig(redisSchema, {
    REDIS_URL: env.SECURE_REDIS_URL,
    REDIS_CA_FILE: env.SECURE_CA_FILE,
    REDIS_USERNAME: env.SECURE_REDIS_USERNAME,
    REDIS_PASSWORD_FILE: env.SECURE_REDIS_PASSWORD_FILE,
  }),
);

/** Docs per second for `docs` documents in bulk requests of 2,000, two at a time, as the worker writes. */
async function bulkRate(options: ElasticsearchStoreOptions, run: number): Promise<number> {
  const store = createElasticsearchStore({ ...options, index: `bench-secure-${run}-${Date.now()}` });
  await store.ensureReady();
  const base = Math.floor(Date.now() / 1000);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < docs) {
      const from = next;
      next += batchSize;
      await store.bulkIndex(
        Array.from({ length: Math.min(batchSize, docs - from) }, (_, i) => processedDoc(from + i, base)),
      );
    }
  };
  const started = performance.now();
  await Promise.all([lane(), lane()]);
  const seconds = (performance.now() - started) / 1000;
  await store.dropIndices();
  await store.close();
  return Math.round(docs / seconds);
}

/** Median microseconds of one failure event (one script call, one round trip), and events per second in batches of 500. */
async function counterRoundTrips(
  connection: RedisConnection,
): Promise<{ medianMicros: number; batchedPerSecond: number }> {
  const counters = createRedisCounters({ ...connection, keyPrefix: `soc:bench-${Date.now()}:` });
  const window = { windowSeconds: 300, threshold: 1_000_000 };
  const micros: number[] = [];
  for (let i = 0; i < roundTrips; i++) {
    const started = performance.now();
    await counters.recordFailures([{ ip: `203.0.113.${i % 250}`, timeSeconds: 1_000 + i, eventId: `e${i}` }], window);
    micros.push((performance.now() - started) * 1000);
  }
  micros.sort((a, b) => a - b);
  const batched = Array.from({ length: roundTrips * 10 }, (_, i) => ({
    ip: `198.51.100.${i % 250}`,
    timeSeconds: 2_000 + i,
    eventId: `b${i}`,
  }));
  const started = performance.now();
  for (let from = 0; from < batched.length; from += 500)
    await counters.recordFailures(batched.slice(from, from + 500), window);
  const seconds = (performance.now() - started) / 1000;
  await counters.close();
  return {
    medianMicros: Math.round(micros[Math.floor(micros.length / 2)] ?? 0),
    batchedPerSecond: Math.round(batched.length / seconds),
  };
}

// Interleaved, so a warming JIT or a busy neighbour weighs on both sides alike; the better of two runs counts.
const runs: {
  esDirect: number;
  esTls: number;
  redisPlain: Awaited<ReturnType<typeof counterRoundTrips>>;
  redisTls: Awaited<ReturnType<typeof counterRoundTrips>>;
}[] = [];
for (let run = 0; run < 2; run++) {
  runs.push({
    esDirect: await bulkRate(direct, run),
    esTls: await bulkRate(viaTls, run),
    redisPlain: await counterRoundTrips(plainRedis),
    redisTls: await counterRoundTrips(tlsRedis),
  });
}
const best = (pick: (r: (typeof runs)[number]) => number, lowest = false): number =>
  (lowest ? Math.min : Math.max)(...runs.map(pick));
console.log(
  JSON.stringify({
    bench: "secure-backends",
    docs,
    batchSize,
    esDirectDocsPerSecond: best((r) => r.esDirect),
    esTlsApiKeyDocsPerSecond: best((r) => r.esTls),
    roundTrips,
    redisPlain: {
      medianMicros: best((r) => r.redisPlain.medianMicros, true),
      batchedPerSecond: best((r) => r.redisPlain.batchedPerSecond),
    },
    redisTlsAcl: {
      medianMicros: best((r) => r.redisTls.medianMicros, true),
      batchedPerSecond: best((r) => r.redisTls.batchedPerSecond),
    },
  }),
);
