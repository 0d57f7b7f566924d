/**
 * Counters on Redis, shared by every worker replica. Each event is one atomic Lua script (no
 * interleaving between replicas); a batch goes in one pipeline, one round trip.
 * The scripts mirror slideFailureWindow and baselineOf in counters.ts.
 */
import { Redis } from "ioredis";
import type { Counters, FailureResult, RateResult } from "./counters.ts";

// KEYS[1] failed_logins:<ip>   ARGV time, eventId, windowSeconds, threshold
const FAILURE_SCRIPT = `
local t = tonumber(ARGV[1])
local window = tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', t - window)
redis.call('ZADD', KEYS[1], t, ARGV[2])
local count = redis.call('ZCARD', KEYS[1])
local first = math.min(tonumber(redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')[2]), t)
local last = math.max(tonumber(redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')[2]), t)
local triggered = 0
if count >= tonumber(ARGV[4]) then
  redis.call('DEL', KEYS[1])
  triggered = 1
else
  redis.call('EXPIRE', KEYS[1], window + 60)
end
return {count, triggered, tostring(first), tostring(last)}`;

// KEYS[1] rate:<key>   ARGV time, baselineMinutes
const RATE_SCRIPT = `
local minute = math.floor(tonumber(ARGV[1]) / 60)
local n = tonumber(ARGV[2])
local count = redis.call('HINCRBY', KEYS[1], 'm:' .. minute, 1)
local first = tonumber(redis.call('HGET', KEYS[1], 'first'))
if not first then
  first = minute
  redis.call('HSET', KEYS[1], 'first', minute)
end
local mean, std, span = 0, 0, 0
if tonumber(redis.call('HGET', KEYS[1], 'bm')) ~= minute then
  local start = math.max(first, minute - n)
  span = minute - start
  if span > 0 then
    local sum, squares = 0, 0
    for m = start, minute - 1 do
      local c = tonumber(redis.call('HGET', KEYS[1], 'm:' .. m) or '0')
      sum = sum + c
      squares = squares + c * c
    end
    mean = sum / span
    std = math.sqrt(math.max(0, squares / span - mean * mean))
  end
  redis.call('HSET', KEYS[1], 'bm', minute, 'mean', tostring(mean), 'std', tostring(std), 'span', span)
  for _, field in ipairs(redis.call('HKEYS', KEYS[1])) do
    if string.sub(field, 1, 2) == 'm:' and tonumber(string.sub(field, 3)) < minute - n then
      redis.call('HDEL', KEYS[1], field)
    end
  end
else
  local stored = redis.call('HMGET', KEYS[1], 'mean', 'std', 'span')
  mean, std, span = tonumber(stored[1]), tonumber(stored[2]), tonumber(stored[3])
end
redis.call('EXPIRE', KEYS[1], (n + 2) * 60)
return {count, tostring(mean), tostring(std), span}`;

type ScriptReply = [number, number | string, string, string | number];

export interface RedisCountersOptions {
  url: string;
  /** Prefix for every key, so several pipelines can share one Redis. */
  keyPrefix?: string;
}

export function createRedisCounters(options: RedisCountersOptions): Counters & { redis: Redis } {
  const redis = new Redis(options.url, { keyPrefix: options.keyPrefix ?? "", maxRetriesPerRequest: 3, enableAutoPipelining: false });
  redis.defineCommand("socFailure", { numberOfKeys: 1, lua: FAILURE_SCRIPT });
  redis.defineCommand("socRate", { numberOfKeys: 1, lua: RATE_SCRIPT });

  const run = async (calls: [string, string, ...(string | number)[]][]): Promise<ScriptReply[]> => {
    if (calls.length === 0) return [];
    const pipeline = redis.pipeline();
    for (const [command, ...args] of calls) (pipeline as unknown as Record<string, (...a: (string | number)[]) => void>)[command]?.(...args);
    const replies = (await pipeline.exec()) ?? [];
    return replies.map(([error, reply]) => {
      if (error !== null) throw error;
      return reply as ScriptReply;
    });
  };

  return {
    redis,
    async recordFailures(events, window): Promise<FailureResult[]> {
      const replies = await run(events.map((e) => ["socFailure", `failed_logins:${e.ip}`, e.timeSeconds, e.eventId, window.windowSeconds, window.threshold]));
      return replies.map(([count, triggered, first, last]) => ({ count, triggered: triggered === 1, firstSeen: Number(first), lastSeen: Number(last) }));
    },
    async recordRequests(events, baselineMinutes): Promise<RateResult[]> {
      const replies = await run(events.map((e) => ["socRate", `rate:${e.key}`, e.timeSeconds, baselineMinutes]));
      return replies.map(([count, mean, stddev, minutes]) => ({ count, mean: Number(mean), stddev: Number(stddev), minutes: Number(minutes) }));
    },
    async ping() {
      await redis.ping();
    },
    async close() {
      redis.disconnect();
    },
  };
}
