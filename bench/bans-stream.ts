/**
 * What a bouncer's pull costs as bans pile up: GET /v1/decisions/stream through the API (HTTP,
 * auth, whitelist filter, per-bouncer diff, view saved) on the Redis store, for a bouncer starting
 * (every ban sent) and for the steady pull every update_frequency (nothing changed; one new ban).
 * Usage: REDIS_URL=... npx tsx bench/bans-stream.ts [bans] [pulls]
 */
import { startTestApi, TEST_KEYS } from "@soc/api/testing";
import { createRedisDecisionStore } from "../services/api/src/decisions/redis-store.ts";

const bans = Number(process.argv[2] ?? 10_000);
const pulls = Number(process.argv[3] ?? 50);
const url = process.env.REDIS_URL ?? "redis://127.0.0.1:16379";
const decisions = createRedisDecisionStore({ url, keyPrefix: `bench-bans-${Date.now()}:` });
const api = await startTestApi({ decisions });
const now = Math.floor(Date.now() / 1000);
const address = (i: number): string => `100.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;

const pull = async (query: string): Promise<{ ms: number; added: number }> => {
  const started = performance.now();
  const response = await fetch(`${api.url}/v1/decisions/stream${query}`, {
    headers: { "X-Api-Key": TEST_KEYS.bouncer },
  });
  const body = (await response.json()) as { new: unknown[] };
  return { ms: performance.now() - started, added: body.new.length };
};
const percentile = (values: number[], p: number): number =>
  +([...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((p / 100) * values.length))] ?? 0).toFixed(
    1,
  );

try {
  for (let i = 0; i < bans; i++)
    await decisions.ban(
      {
        ip: address(i),
        scope: "Ip",
        reason: "Brute-force attempt detected (5 attempts).",
        origin: "rule:brute_force",
        alert_id: `logs-0-${i}`,
        created_at: now,
        expires_at: now + 14_400,
      },
      now,
    );
  const startup = await pull("?startup=true");
  const unchanged: number[] = [];
  const oneNew: number[] = [];
  for (let i = 0; i < pulls; i++) {
    unchanged.push((await pull("?startup=false")).ms);
    await decisions.ban(
      {
        ip: address(bans + i),
        scope: "Ip",
        reason: "r",
        origin: "analyst:bench",
        alert_id: null,
        created_at: now,
        expires_at: now + 600,
      },
      now,
    );
    const pulled = await pull("?startup=false");
    if (pulled.added !== 1) throw new Error(`expected one new ban, got ${pulled.added}`);
    oneNew.push(pulled.ms);
  }
  process.stdout.write(
    `${JSON.stringify({ bench: "bans-stream", bans, pulls, startup_ms: +startup.ms.toFixed(1), startup_new: startup.added, unchanged_p50_ms: percentile(unchanged, 50), unchanged_p95_ms: percentile(unchanged, 95), one_new_p50_ms: percentile(oneNew, 50), one_new_p95_ms: percentile(oneNew, 95) })}\n`,
  );
} finally {
  await api.close();
  await decisions.close();
}
