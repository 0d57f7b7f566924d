import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { errors } from "@elastic/elasticsearch";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { checkElasticsearchEnv, elasticsearchEnvShape, parseConfig, Secret } from "../config.ts";
import { elasticsearchConnectionOf, explainElasticsearchFailure } from "./elasticsearch-connection.ts";
import { elasticsearchStoreOptionsOf, indexSettingsOf } from "./elasticsearch-store.ts";

const schema = z.object(elasticsearchEnvShape).superRefine(checkElasticsearchEnv);
const parse = (env: Record<string, string>) => parseConfig(schema, env);
const file = (name: string, content: string): string => {
  const path = join(mkdtempSync(join(tmpdir(), "es-env-")), name);
  writeFileSync(path, content);
  return path;
};
const PEM = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
const KEY = Buffer.from("VuaCfGcBCdbkQm-e5aOx:ui2lp2axTNmsyakw9tvNnw").toString("base64");

describe("Elasticsearch settings from the environment", () => {
  it("connects in plain http without credentials by default, with auto-expanding replicas", () => {
    const options = elasticsearchStoreOptionsOf(parse({}));
    expect(options).toEqual({
      url: "http://127.0.0.1:19200",
      index: "processed_logs",
      layout: { normal: "day", anomalies: "month" },
      retention: { normalDays: 30, anomalyDays: 400 },
      shards: 1,
    });
    expect(indexSettingsOf(options)).toEqual({ number_of_shards: 1, auto_expand_replicas: "0-1" });
  });

  it("reads the API key and the CA from mounted files", () => {
    const env = parse({
      ELASTICSEARCH_URL: "https://es.example:9243",
      ELASTICSEARCH_API_KEY_FILE: file("key", `${KEY}\n`),
      ELASTICSEARCH_CA_FILE: file("ca.pem", PEM),
    });
    const connection = elasticsearchConnectionOf(env);
    expect(connection).toMatchObject({ url: "https://es.example:9243", ca: PEM.trim() });
    expect(connection.auth !== undefined && "apiKey" in connection.auth ? connection.auth.apiKey.reveal() : null).toBe(
      KEY,
    );
  });

  it("takes basic credentials, the password from a file, and never prints it", () => {
    const env = parse({
      ELASTICSEARCH_URL: "https://es.example",
      ELASTICSEARCH_USERNAME: "soc_writer",
      ELASTICSEARCH_PASSWORD_FILE: file("pw", "hunter2-long\n"),
    });
    expect(elasticsearchConnectionOf(env).auth).toMatchObject({ username: "soc_writer" });
    expect(JSON.stringify(env)).not.toContain("hunter2");
  });

  it("takes the retention policy and the index periods, or no retention at all", () => {
    const env = {
      RETENTION_NORMAL_DAYS: "7",
      RETENTION_ANOMALY_DAYS: "90",
      ELASTICSEARCH_NORMAL_INDEX_PERIOD: "month",
      ELASTICSEARCH_ANOMALY_INDEX_PERIOD: "day",
    };
    expect(elasticsearchStoreOptionsOf(parse(env))).toMatchObject({
      layout: { normal: "month", anomalies: "day" },
      retention: { normalDays: 7, anomalyDays: 90 },
    });
    expect(elasticsearchStoreOptionsOf(parse({ RETENTION_ENABLED: "false" })).retention).toBeNull();
  });

  it("takes shards and an explicit replica count", () => {
    const options = elasticsearchStoreOptionsOf(parse({ ELASTICSEARCH_SHARDS: "3", ELASTICSEARCH_REPLICAS: "2" }));
    expect(indexSettingsOf(options)).toEqual({ number_of_shards: 3, number_of_replicas: 2 });
  });

  it.each([
    [
      { ELASTICSEARCH_URL: "https://elastic:changeme@es.example" },
      "ELASTICSEARCH_URL: credentials in the URL are refused",
    ],
    [
      {
        ELASTICSEARCH_URL: "https://es.example",
        ELASTICSEARCH_API_KEY: KEY,
        ELASTICSEARCH_USERNAME: "u",
        ELASTICSEARCH_PASSWORD: "p",
      },
      "ELASTICSEARCH_API_KEY: set an API key or",
    ],
    [
      { ELASTICSEARCH_URL: "https://es.example", ELASTICSEARCH_USERNAME: "u" },
      "ELASTICSEARCH_PASSWORD: basic authentication needs both",
    ],
    [
      { ELASTICSEARCH_URL: "https://es.example", ELASTICSEARCH_PASSWORD: "p" },
      "ELASTICSEARCH_USERNAME: basic authentication needs both",
    ],
    [{ ELASTICSEARCH_URL: "http://es.example", ELASTICSEARCH_CA: PEM }, "ELASTICSEARCH_CA: a CA is only used over TLS"],
    [
      { ELASTICSEARCH_URL: "https://es.example", ELASTICSEARCH_CA: "not a certificate" },
      "ELASTICSEARCH_CA: expected PEM certificates",
    ],
    [
      { ELASTICSEARCH_API_KEY: "VuaCfGcBCdbkQm-e5aOx:ui2lp2axTNmsyakw9tvNnw" },
      "ELASTICSEARCH_API_KEY: expected the encoded API key",
    ],
    [{ ELASTICSEARCH_URL: "ftp://es.example" }, "ELASTICSEARCH_URL: "],
    [{ ELASTICSEARCH_REPLICAS: "" }, "ELASTICSEARCH_REPLICAS: expected a whole number"],
    [{ ELASTICSEARCH_SHARDS: "0" }, "ELASTICSEARCH_SHARDS: expected at least 1"],
    [{ RETENTION_NORMAL_DAYS: "0" }, "RETENTION_NORMAL_DAYS: expected at least 1 day"],
    [{ RETENTION_NORMAL_DAYS: "30d" }, "RETENTION_NORMAL_DAYS: expected a whole number of days"],
    [
      { RETENTION_NORMAL_DAYS: "90", RETENTION_ANOMALY_DAYS: "30" },
      "RETENTION_ANOMALY_DAYS: anomalies must be kept at least as long as normal logs",
    ],
    [{ ELASTICSEARCH_NORMAL_INDEX_PERIOD: "week" }, "ELASTICSEARCH_NORMAL_INDEX_PERIOD: "],
    [{ RETENTION_ENABLED: "yes" }, "RETENTION_ENABLED: "],
  ])("refuses %j", (env, message) => {
    expect(() => parse(env)).toThrow(message);
  });

  it("names a CA file it cannot read", () => {
    expect(() => parse({ ELASTICSEARCH_CA_FILE: "/does/not/exist.pem" })).toThrow(/ELASTICSEARCH_CA_FILE: cannot read/);
  });

  it("never prints the key it refuses", () => {
    const secret = "c2VjcmV0OnNlY3JldA==";
    expect(() =>
      parse({
        ELASTICSEARCH_URL: "https://es.example",
        ELASTICSEARCH_API_KEY: secret,
        ELASTICSEARCH_USERNAME: "u",
        ELASTICSEARCH_PASSWORD: "p",
      }),
    ).toThrow(expect.objectContaining({ message: expect.not.stringContaining(secret) as unknown }));
  });
});

describe("explainElasticsearchFailure", () => {
  const connection = { url: "https://es.example" };
  const response = (statusCode: number) =>
    new errors.ResponseError({
      body: { error: { type: "security_exception" } },
      statusCode,
      headers: {},
      warnings: null,
      meta: {} as never,
    });

  it("names the settings when the cluster wants credentials", () => {
    expect(explainElasticsearchFailure(response(401), connection)).toMatch(
      /requires authentication and no credentials were sent \(401\): set ELASTICSEARCH_API_KEY/,
    );
    expect(explainElasticsearchFailure(response(401), { ...connection, auth: { apiKey: new Secret(KEY) } })).toMatch(
      /refused ELASTICSEARCH_API_KEY/,
    );
  });

  it("points at ELASTICSEARCH_CA_FILE for an untrusted certificate", () => {
    const error = new errors.ConnectionError("self-signed certificate in certificate chain");
    expect(explainElasticsearchFailure(error, connection)).toMatch(
      /TLS certificate not trusted .*ELASTICSEARCH_CA_FILE/,
    );
  });

  it("leaves other failures as they are", () => {
    expect(explainElasticsearchFailure(response(500), connection)).toBeUndefined();
    expect(explainElasticsearchFailure(new Error("boom"), connection)).toBeUndefined();
  });
});
