/**
 * The one place an ioredis client is built (detection counters, the alerter's delivery log, the
 * API's readiness check): URL, TLS CA and ACL credentials from the validated environment (redisEnvShape).
 */
import { Redis, type RedisOptions } from "ioredis";
import { Secret, type RedisEnv } from "./config.ts";
import { isUntrustedCertificate } from "./tls-errors.ts";

export interface RedisConnection {
  /** redis:// or rediss:// (TLS); credentials are kept apart, in username and password. */
  url: string;
  /** PEM CA certificates trusted for the server's certificate, besides the system's (rediss:// only). */
  ca?: string;
  /** An ACL user; absent means `default`. */
  username?: string;
  password?: Secret;
}

/** Credentials given in the URL (as managed services hand it out) move out of it, so the URL can be printed. */
export function redisConnectionOf(env: RedisEnv & { REDIS_URL: string }): RedisConnection {
  const url = new URL(env.REDIS_URL);
  const username = url.username === "" ? env.REDIS_USERNAME : decodeURIComponent(url.username);
  const password = url.password === "" ? env.REDIS_PASSWORD : new Secret(decodeURIComponent(url.password));
  url.username = "";
  url.password = "";
  return {
    url: url.toString(),
    ...(env.REDIS_CA === undefined ? {} : { ca: env.REDIS_CA }),
    ...(username === undefined ? {} : { username }),
    ...(password === undefined ? {} : { password }),
  };
}

// ioredis fails a command it could not send with "max retries" only; the reason is an error event.
const connectionErrors = new WeakMap<Redis, Error>();

/** `options` are the caller's ioredis settings (key prefix, retries); the connection's win over them. */
export function createRedisClient(connection: RedisConnection, options: RedisOptions = {}): Redis {
  const tls = new URL(connection.url).protocol === "rediss:";
  const redis = new Redis(connection.url, {
    ...options,
    ...(connection.username === undefined ? {} : { username: connection.username }),
    ...(connection.password === undefined ? {} : { password: connection.password.reveal() }),
    ...(tls ? { tls: connection.ca === undefined ? {} : { ca: connection.ca } } : {}),
  });
  redis.on("error", (error: Error) => connectionErrors.set(redis, error));
  redis.on("ready", () => connectionErrors.delete(redis));
  return redis;
}

/** What went wrong, naming the setting to fix, for failures a configuration causes; otherwise undefined. */
export function explainRedisFailure(error: Error, connection: RedisConnection): string | undefined {
  const where = `Redis at ${connection.url}`;
  const user = connection.username ?? "default";
  if (error.message.startsWith("NOAUTH"))
    return `${where} requires authentication: set REDIS_USERNAME and REDIS_PASSWORD (each also as _FILE), or put them in REDIS_URL`;
  if (error.message.startsWith("WRONGPASS"))
    return `${where} refused user ${user}: wrong REDIS_PASSWORD, or the user is disabled`;
  if (error.message.startsWith("NOPERM"))
    return `${where}: the ACL of user ${user} forbids this (${error.message}); docs/kubernetes.md lists what the pipeline needs`;
  if (isUntrustedCertificate(error.message))
    return `${where}: TLS certificate not trusted (${error.message}); set REDIS_CA_FILE to the CA that signed the server's certificate`;
  return undefined;
}

/** PING, failing with the reason the connection is down (TLS, credentials, ACL) rather than "max retries". */
export async function pingRedis(redis: Redis, connection: RedisConnection): Promise<void> {
  try {
    await redis.ping();
  } catch (error) {
    const reason = connectionErrors.get(redis) ?? (error as Error);
    const explanation = explainRedisFailure(reason, connection);
    throw new Error(explanation ?? `${(error as Error).message} (last connection error: ${reason.message})`, {
      cause: error,
    });
  }
}
