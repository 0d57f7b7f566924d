/**
 * The incident tracker on Redis, shared by every worker replica and the API. One key per (rule,
 * subject) holds the open incident as JSON. A replica reads it, lets the pure core place its alerts,
 * and writes back only if nobody changed it meanwhile (compare-and-set in one Lua script), else
 * places them again on what the other replica wrote: every replica names the same incident.
 */
import type { Redis } from "ioredis";
import { createRedisClient, pingRedis, type RedisConnection } from "../redis-connection.ts";
import {
  incidentKeyOf,
  placeAll,
  withIncidentStatus,
  type IncidentAlert,
  type IncidentPolicy,
  type OpenIncident,
  type Placed,
} from "./incident.ts";
import { byKey, trackerTtlSeconds, type IncidentTracker } from "./incident-tracker.ts";

// KEYS[1] incident:<rule>:<subject>   ARGV expected value ('' for none), new value, ttlSeconds (0: keep the key's)
// Answers {1} when written, else {0, the value found}.
const COMPARE_AND_SET = `
local found = redis.call('GET', KEYS[1]) or ''
if found ~= ARGV[1] then return {0, found} end
if ARGV[3] == '0' then
  redis.call('SET', KEYS[1], ARGV[2], 'KEEPTTL')
else
  redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3])
end
return {1}`;

/** Conflicts in a row before giving up: each one means another replica made progress. */
const MAX_ATTEMPTS = 20;

export interface RedisIncidentTrackerOptions extends RedisConnection {
  /** REDIS_KEY_PREFIX: pipelines sharing a Redis keep their incidents apart. */
  keyPrefix: string;
  /** The workers' policy; the API only changes statuses, which keeps each key's expiry. */
  policy: IncidentPolicy;
}

const parse = (raw: string | null): OpenIncident | null =>
  raw === null || raw === "" ? null : (JSON.parse(raw) as OpenIncident);

export function createRedisIncidentTracker(options: RedisIncidentTrackerOptions): IncidentTracker & { redis: Redis } {
  if (options.keyPrefix === "")
    throw new Error("the incident tracker needs a key prefix, so pipelines sharing a Redis keep their incidents apart");
  const redis = createRedisClient(options, { keyPrefix: options.keyPrefix, maxRetriesPerRequest: 3 });
  redis.defineCommand("socIncidentSet", { numberOfKeys: 1, lua: COMPARE_AND_SET });
  const ttl = trackerTtlSeconds(options.policy);
  const keyOf = (tracked: string): string => `incident:${tracked}`;
  const compareAndSet = (key: string, expected: string, next: string, ttlSeconds: number): Promise<[number, string?]> =>
    (
      redis as unknown as {
        socIncidentSet(key: string, expected: string, next: string, ttl: number): Promise<[number, string?]>;
      }
    ).socIncidentSet(key, expected, next, ttlSeconds);

  /**
   * Reads the key, changes it with `update`, writes it back unless another writer came first; then
   * tries again on theirs. `ttlSeconds` 0 keeps the key's expiry (a status change is no activity).
   */
  async function update<T>(
    key: string,
    ttlSeconds: number,
    change: (open: OpenIncident | null) => { open: OpenIncident | null; result: T },
  ): Promise<T> {
    let raw = (await redis.get(key)) ?? "";
    for (let attempt = 1; ; attempt++) {
      const { open, result } = change(parse(raw));
      if (open === null) return result;
      const [written, found = ""] = await compareAndSet(key, raw, JSON.stringify(open), ttlSeconds);
      if (written === 1) return result;
      if (attempt >= MAX_ATTEMPTS) throw new Error(`incident ${key}: still contended after ${MAX_ATTEMPTS} attempts`);
      raw = found;
    }
  }

  return {
    redis,
    async place(alerts: IncidentAlert[]) {
      const answers: Placed[] = new Array<Placed>(alerts.length);
      await Promise.all(
        [...byKey(alerts)].map(async ([tracked, group]) => {
          const placed = await update(keyOf(tracked), ttl, (open) => {
            const result = placeAll(
              open,
              group.map((g) => g.alert),
              options.policy,
            );
            return { open: result.open, result: result.placed };
          });
          group.forEach(({ index }, i) => (answers[index] = placed[i] as Placed));
        }),
      );
      return answers;
    },
    async setStatus(incident, status, nowSeconds) {
      return update(keyOf(incidentKeyOf(incident)), 0, (open) => {
        if (open === null || open.incident.id !== incident.id) return { open: null, result: null };
        const changed = withIncidentStatus(open.incident, status, nowSeconds);
        return { open: { ...open, incident: changed }, result: changed };
      });
    },
    async ping() {
      await pingRedis(redis, options);
    },
    async close() {
      redis.disconnect();
    },
  };
}
