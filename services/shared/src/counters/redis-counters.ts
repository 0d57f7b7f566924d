/**
 * Counters on Redis, shared by every worker replica. Each event is one atomic Lua script (no
 * interleaving between replicas); a batch goes in one pipeline, one round trip.
 * The scripts mirror slideFailureWindow, baselineOf and keepsMinute in counters.ts.
 */
import type { Redis } from "ioredis";
import { createRedisClient, pingRedis, type RedisConnection } from "../redis-connection.ts";
import {
  failureTtlSeconds,
  maxMinutesKept,
  rateTtlSeconds,
  type Counters,
  type FailureResult,
  type RateResult,
} from "./counters.ts";

// Each script sets the TTL right after its first write: Redis does not roll a script back when it
// fails, so an error later on must not leave a key that never expires.

// KEYS[1] failed_logins:<ip>   ARGV time, eventId, windowSeconds, threshold, ttlSeconds
const FAILURE_SCRIPT = `
local t = tonumber(ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', t - tonumber(ARGV[3]))
redis.call('ZADD', KEYS[1], t, ARGV[2])
redis.call('EXPIRE', KEYS[1], ARGV[5])
local count = redis.call('ZCARD', KEYS[1])
local first = math.min(tonumber(redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')[2]), t)
local last = math.max(tonumber(redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')[2]), t)
local triggered = 0
if count >= tonumber(ARGV[4]) then
  redis.call('DEL', KEYS[1])
  triggered = 1
end
return {count, triggered, tostring(first), tostring(last)}`;

// KEYS[1] rate:<key>   ARGV time, baselineMinutes, ttlSeconds, maxMinutesKept
// Fields: m:<minute> counts plus five others (first, bm, mean, std, span), hence `#fields - 5`.
const RATE_SCRIPT = `
local minute = math.floor(tonumber(ARGV[1]) / 60)
local n = tonumber(ARGV[2])
local count = redis.call('HINCRBY', KEYS[1], 'm:' .. minute, 1)
redis.call('EXPIRE', KEYS[1], ARGV[3])
local first = tonumber(redis.call('HGET', KEYS[1], 'first'))
if not first then
  first = minute
  redis.call('HSET', KEYS[1], 'first', minute)
end
local mean, std, span = 0, 0, 0
if tonumber(redis.call('HGET', KEYS[1], 'bm')) ~= minute then
  span = math.max(0, math.min(minute - first, n))
  if span > 0 then
    local sum, squares = 0, 0
    for step = 1, span do
      local c = tonumber(redis.call('HGET', KEYS[1], 'm:' .. (minute - step)) or '0')
      sum = sum + c
      squares = squares + c * c
    end
    mean = sum / span
    std = math.sqrt(math.max(0, squares / span - mean * mean))
  end
  redis.call('HSET', KEYS[1], 'bm', minute, 'mean', tostring(mean), 'std', tostring(std), 'span', span)
  local fields = redis.call('HKEYS', KEYS[1])
  local crowded = #fields - 5 > tonumber(ARGV[4])
  for _, field in ipairs(fields) do
    if string.sub(field, 1, 2) == 'm:' then
      local m = tonumber(string.sub(field, 3))
      if m < minute - n or (crowded and m > minute + n) then
        redis.call('HDEL', KEYS[1], field)
      end
    end
  end
else
  local stored = redis.call('HMGET', KEYS[1], 'mean', 'std', 'span')
  mean, std, span = tonumber(stored[1]), tonumber(stored[2]), tonumber(stored[3])
end
return {count, tostring(mean), tostring(std), span}`;

type ScriptReply = [number, number | string, string, string | number];

export interface RedisCountersOptions extends RedisConnection {
  /** Prefix of every key (REDIS_KEY_PREFIX): pipelines sharing a Redis must not share windows. */
  keyPrefix: string;
}

export function createRedisCounters(options: RedisCountersOptions): Counters & { redis: Redis } {
  if (options.keyPrefix === "")
    throw new Error("Redis counters need a key prefix, so pipelines sharing a Redis keep their windows apart");
  const redis = createRedisClient(options, {
    keyPrefix: options.keyPrefix,
    maxRetriesPerRequest: 3,
    enableAutoPipelining: false,
  });
  redis.defineCommand("socFailure", { numberOfKeys: 1, lua: FAILURE_SCRIPT });
  redis.defineCommand("socRate", { numberOfKeys: 1, lua: RATE_SCRIPT });

  const run = async (calls: [string, string, ...(string | number)[]][]): Promise<ScriptReply[]> => {
    if (calls.length === 0) return [];
    const pipeline = redis.pipeline();
    for (const [command, ...args] of calls)
      (pipeline as unknown as Record<string, (...a: (string | number)[]) => void>)[command]?.(...args);
    const replies = (await pipeline.exec()) ?? [];
    return replies.map(([error, reply]) => {
      if (error !== null) throw error;
      return reply as ScriptReply;
    });
  };

  return {
    redis,
    async recordFailures(events, window): Promise<FailureResult[]> {
      const replies = await run(
        events.map((e) => [
          "socFailure",
          `failed_logins:${e.ip}`,
          e.timeSeconds,
          e.eventId,
          window.windowSeconds,
          window.threshold,
          failureTtlSeconds(window),
        ]),
      );
      return replies.map(([count, triggered, first, last]) => ({
        count,
        triggered: triggered === 1,
        firstSeen: Number(first),
        lastSeen: Number(last),
      }));
    },
    async recordRequests(events, baselineMinutes): Promise<RateResult[]> {
      const replies = await run(
        events.map((e) => [
          "socRate",
          `rate:${e.key}`,
          e.timeSeconds,
          baselineMinutes,
          rateTtlSeconds(baselineMinutes),
          maxMinutesKept(baselineMinutes),
        ]),
      );
      return replies.map(([count, mean, stddev, minutes]) => ({
        count,
        mean: Number(mean),
        stddev: Number(stddev),
        minutes: Number(minutes),
      }));
    },
    async ping() {
      await pingRedis(redis, options);
    },
    async close() {
      redis.disconnect();
    },
  };
}
