/** Every service that opens Elasticsearch or Redis applies the shared checks across their keys. */
import { describe, expect, it } from "vitest";
import { parseAlerterEnv } from "../../services/alerter/src/config.ts";
import { parseApiEnv } from "@soc/api";
import { parseWorkerEnv } from "@soc/worker";

const KEY = Buffer.from("id:api-key").toString("base64");
const elasticsearch = {
  ELASTICSEARCH_URL: "https://es.example",
  ELASTICSEARCH_API_KEY: KEY,
  ELASTICSEARCH_USERNAME: "soc",
  ELASTICSEARCH_PASSWORD: "pw",
};
const redis = { REDIS_URL: "rediss://soc:pw@redis.example", REDIS_PASSWORD: "pw" };

describe("services' Elasticsearch and Redis settings", () => {
  it.each([
    ["api", parseApiEnv],
    ["worker", parseWorkerEnv],
  ])(
    "%s: refuses an API key with basic credentials and credentials twice for Redis, naming both at once",
    (_, parse) => {
      expect(() => parse({ ...elasticsearch, ...redis })).toThrow(
        /ELASTICSEARCH_API_KEY: set an API key or[\s\S]*REDIS_URL: credentials both in the URL/,
      );
    },
  );

  it("alerter: refuses credentials twice for Redis, and runs without Redis", () => {
    expect(() => parseAlerterEnv(redis)).toThrow(/REDIS_URL: credentials both in the URL/);
    expect(parseAlerterEnv({}).REDIS_URL).toBeUndefined();
  });
});
