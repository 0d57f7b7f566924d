/**
 * Bans on Redis, shared by every API replica. Keys (under the pipeline's REDIS_KEY_PREFIX), each
 * with an expiry: `ban:<ip>` (the ban, expiring with it), `bans` (the targets scored by expiry,
 * expiring with the last), `bans:last-id`, and `bouncer:<name>` (a bouncer's view, expiring when
 * nothing it holds can still be in force). A ban is one Lua script, mirroring ban.ts' supersedes.
 */
import { createRedisClient, pingRedis, type RedisConnection } from "@soc/shared/redis";
import { banSchema, MAX_BAN_SECONDS, type Ban } from "./ban.ts";
import { bouncerViewTtlSeconds, type DecisionStore } from "./store.ts";

// KEYS ban:<ip>, bans, bans:last-id   ARGV now, expires_at, expires_at in ms, the ban's JSON after its id, ip, id ttl
const BAN_SCRIPT = `
local now = tonumber(ARGV[1])
local expires = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
local current = redis.call('GET', KEYS[1])
local currentExpiry = tonumber(redis.call('ZSCORE', KEYS[2], ARGV[5]))
if current and currentExpiry and currentExpiry > now and currentExpiry >= expires then
  return {0, current}
end
local id = redis.call('INCR', KEYS[3])
redis.call('EXPIRE', KEYS[3], ARGV[6])
local ban = '{"id":' .. id .. ARGV[4]
redis.call('SET', KEYS[1], ban, 'PXAT', ARGV[3])
redis.call('ZADD', KEYS[2], expires, ARGV[5])
local last = redis.call('ZRANGE', KEYS[2], -1, -1, 'WITHSCORES')
redis.call('EXPIREAT', KEYS[2], math.ceil(tonumber(last[2])))
return {1, ban}`;

// KEYS ban:<ip>, bans   ARGV ip
const LIFT_SCRIPT = `
local current = redis.call('GET', KEYS[1])
redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[1])
return current`;

export interface RedisDecisionStoreOptions extends RedisConnection {
  /** REDIS_KEY_PREFIX: pipelines sharing a Redis keep their bans apart. */
  keyPrefix: string;
}

const decode = (json: string): Ban => banSchema.parse(JSON.parse(json));

export function createRedisDecisionStore(options: RedisDecisionStoreOptions): DecisionStore {
  if (options.keyPrefix === "")
    throw new Error("Redis bans need a key prefix, so pipelines sharing a Redis keep their bans apart");
  const redis = createRedisClient(options, { keyPrefix: options.keyPrefix, maxRetriesPerRequest: 1 });
  redis.defineCommand("socBan", { numberOfKeys: 3, lua: BAN_SCRIPT });
  redis.defineCommand("socLift", { numberOfKeys: 2, lua: LIFT_SCRIPT });
  const scripts = redis as unknown as {
    socBan(...args: (string | number)[]): Promise<[number, string]>;
    socLift(...args: string[]): Promise<string | null>;
  };

  return {
    async active(nowSeconds) {
      const ips = await redis.zrangebyscore("bans", `(${nowSeconds}`, "+inf");
      if (ips.length === 0) return [];
      const stored = await redis.mget(ips.map((ip) => `ban:${ip}`));
      return stored
        .filter((json) => json !== null)
        .map(decode)
        .filter((ban) => ban.expires_at > nowSeconds)
        .sort((a, b) => a.id - b.id);
    },
    async ban(request, nowSeconds) {
      const { ip, ...rest } = request;
      // The script writes `{"id":<n>` and this, so the id is assigned and stored in one step.
      const afterId = `,${JSON.stringify({ ip, ...rest }).slice(1)}`;
      const [created, json] = await scripts.socBan(
        `ban:${ip}`,
        "bans",
        "bans:last-id",
        nowSeconds,
        request.expires_at,
        Math.ceil(request.expires_at * 1000),
        afterId,
        ip,
        MAX_BAN_SECONDS + 86_400,
      );
      return { ban: decode(json), created: created === 1 };
    },
    async lift(ip, nowSeconds) {
      const json = await scripts.socLift(`ban:${ip}`, "bans", ip);
      if (json === null) return null;
      const ban = decode(json);
      return ban.expires_at > nowSeconds ? ban : null;
    },
    async bouncerView(bouncer) {
      const json = await redis.get(`bouncer:${bouncer}`);
      return json === null ? null : (JSON.parse(json) as unknown[]).map((entry) => banSchema.parse(entry));
    },
    async saveBouncerView(bouncer, view) {
      await redis.set(`bouncer:${bouncer}`, JSON.stringify(view), "EX", bouncerViewTtlSeconds(MAX_BAN_SECONDS));
    },
    async ping() {
      await pingRedis(redis, options);
    },
    async close() {
      redis.disconnect();
    },
  };
}
