import { describe, expect, it } from "vitest";
import { z } from "zod";
import { checkRedisEnv, optionalRedisEnvShape, parseConfig, redisEnvShape } from "./config.ts";
import { explainRedisFailure, redisConnectionOf } from "./redis-connection.ts";

const schema = z.object(redisEnvShape).superRefine(checkRedisEnv);
const parse = (env: Record<string, string>) => parseConfig(schema, env);
const PEM = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----";

describe("Redis settings from the environment", () => {
  it("connects to the loopback Redis without credentials by default", () => {
    expect(redisConnectionOf(parse({}))).toEqual({ url: "redis://127.0.0.1:16379" });
  });

  it("takes an ACL user, its password and a CA for rediss://", () => {
    const connection = redisConnectionOf(
      parse({
        REDIS_URL: "rediss://redis.example:6380/2",
        REDIS_USERNAME: "soc",
        REDIS_PASSWORD: "s3cret-pass",
        REDIS_CA: PEM,
      }),
    );
    expect(connection).toMatchObject({ url: "rediss://redis.example:6380/2", username: "soc", ca: PEM });
    expect(connection.password?.reveal()).toBe("s3cret-pass");
    expect(JSON.stringify(connection)).not.toContain("s3cret");
  });

  it("moves credentials out of the URL (as managed services hand it out), so the URL can be printed", () => {
    const connection = redisConnectionOf(parse({ REDIS_URL: "rediss://default:p%40ss@redis.example:6380" }));
    expect(connection).toMatchObject({ url: "rediss://redis.example:6380", username: "default" });
    expect(connection.password?.reveal()).toBe("p@ss");
    expect(redisConnectionOf(parse({ REDIS_URL: "redis://:legacy@redis.example" }))).toMatchObject({
      url: "redis://redis.example",
    });
  });

  it.each([
    [
      { REDIS_URL: "rediss://soc:pw@redis.example", REDIS_PASSWORD: "other" },
      "REDIS_URL: credentials both in the URL and in REDIS_USERNAME/REDIS_PASSWORD",
    ],
    [{ REDIS_USERNAME: "soc" }, "REDIS_PASSWORD: an ACL user needs REDIS_PASSWORD"],
    [{ REDIS_URL: "redis://redis.example", REDIS_CA: PEM }, "REDIS_CA: a CA is only used over TLS"],
    [{ REDIS_URL: "http://redis.example" }, "REDIS_URL: expected a redis:// or rediss:// (TLS) URL"],
  ])("refuses %j", (env, message) => {
    expect(() => parse(env)).toThrow(message);
  });

  it("leaves REDIS_URL unset where Redis is optional", () => {
    expect(parseConfig(z.object(optionalRedisEnvShape).superRefine(checkRedisEnv), {}).REDIS_URL).toBeUndefined();
  });
});

describe("explainRedisFailure", () => {
  const connection = { url: "rediss://redis.example:6380", username: "soc" };
  it.each([
    ["NOAUTH Authentication required.", /requires authentication: set REDIS_USERNAME and REDIS_PASSWORD/],
    ["WRONGPASS invalid username-password pair or user is disabled.", /refused user soc/],
    ["NOPERM this user has no permissions to run the 'flushall' command", /the ACL of user soc forbids this/],
    ["self-signed certificate in certificate chain", /TLS certificate not trusted .*REDIS_CA_FILE/],
  ])("explains %s", (message, explanation) => {
    expect(explainRedisFailure(new Error(message), connection)).toMatch(explanation);
  });
});
