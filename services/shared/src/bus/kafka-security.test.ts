import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { ConfigError, parseConfig } from "../config.ts";
import { TOPICS } from "../messages.ts";
import {
  checkKafkaEnv,
  describeKafkaSecurity,
  explainKafkaError,
  kafkaConnectionOf,
  kafkaEnvShape,
  kafkajsSecurityOptions,
  pipelineAcls,
  type AclBinding,
} from "./kafka-security.ts";

const schema = z.object(kafkaEnvShape).superRefine(checkKafkaEnv);
const parse = (env: Record<string, string>) => kafkaConnectionOf(parseConfig(schema, env));
const problems = (env: Record<string, string>): string => {
  try {
    parseConfig(schema, env);
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  return "";
};
const dir = mkdtempSync(join(tmpdir(), "kafka-security-"));
const file = (name: string, content: string): string => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};
const CA = "-----BEGIN CERTIFICATE-----\nca\n-----END CERTIFICATE-----\n";

describe("Kafka connection security from the environment", () => {
  it("is plaintext by default, with the brokers split", () => {
    expect(parse({ KAFKA_BROKER: "a:9092, b:9092" })).toEqual({
      brokers: ["a:9092", "b:9092"],
      security: { protocol: "PLAINTEXT" },
    });
    expect(kafkajsSecurityOptions(parse({}).security)).toEqual({});
  });

  it("turns SASL_SSL with SCRAM and a CA file into kafkajs options, the password from a _FILE", () => {
    const { security } = parse({
      KAFKA_SECURITY_PROTOCOL: "SASL_SSL",
      KAFKA_SASL_MECHANISM: "SCRAM-SHA-512",
      KAFKA_SASL_USERNAME: "api",
      KAFKA_SASL_PASSWORD_FILE: file("password", "s3cret\n"),
      KAFKA_SSL_CA_FILE: file("ca.pem", CA),
    });
    expect(kafkajsSecurityOptions(security)).toEqual({
      ssl: { rejectUnauthorized: true, ca: [CA] },
      sasl: { mechanism: "scram-sha-512", username: "api", password: "s3cret" },
    });
    expect(describeKafkaSecurity(security)).toBe("SASL_SSL SCRAM-SHA-512 as api");
  });

  it("adds a client certificate for mutual TLS, and verifies against public roots without a CA file", () => {
    const { security } = parse({
      KAFKA_SECURITY_PROTOCOL: "SSL",
      KAFKA_SSL_CERT_FILE: file("cert.pem", "CERT"),
      KAFKA_SSL_KEY_FILE: file("key.pem", "KEY"),
    });
    expect(kafkajsSecurityOptions(security)).toEqual({ ssl: { rejectUnauthorized: true, cert: "CERT", key: "KEY" } });
    expect(kafkajsSecurityOptions(parse({ KAFKA_SECURITY_PROTOCOL: "SSL" }).security)).toEqual({
      ssl: { rejectUnauthorized: true },
    });
  });

  it("turns AWS_MSK_IAM into kafkajs' oauthbearer with a token provider for the region, over TLS", () => {
    const { security } = parse({
      KAFKA_BROKER: "b-1.msk.example.com:9098",
      KAFKA_SECURITY_PROTOCOL: "SASL_SSL",
      KAFKA_SASL_MECHANISM: "AWS_MSK_IAM",
      AWS_REGION: "eu-west-1",
    });
    expect(security).toEqual({
      protocol: "SASL_SSL",
      sasl: { mechanism: "AWS_MSK_IAM", region: "eu-west-1" },
      tls: {},
    });
    const options = kafkajsSecurityOptions(security);
    expect(options.ssl).toEqual({ rejectUnauthorized: true });
    expect(options.sasl).toEqual({ mechanism: "oauthbearer", oauthBearerProvider: expect.any(Function) });
    expect(describeKafkaSecurity(security)).toBe("SASL_SSL AWS_MSK_IAM in eu-west-1");
  });

  it("never prints the password or the private key", () => {
    const connection = parse({
      KAFKA_SECURITY_PROTOCOL: "SASL_SSL",
      KAFKA_SASL_MECHANISM: "PLAIN",
      KAFKA_SASL_USERNAME: "u",
      KAFKA_SASL_PASSWORD: "hunter2",
      KAFKA_SSL_CERT_FILE: file("c.pem", "CERT"),
      KAFKA_SSL_KEY_FILE: file("k.pem", "PRIVATE"),
    });
    for (const printed of [
      JSON.stringify(connection),
      inspect(connection, { depth: 10 }),
      describeKafkaSecurity(connection.security),
    ]) {
      expect(printed).not.toContain("hunter2");
      expect(printed).not.toContain("PRIVATE");
    }
  });

  it.each([
    [
      { KAFKA_SECURITY_PROTOCOL: "SASL_SSL", KAFKA_SASL_USERNAME: "u", KAFKA_SASL_PASSWORD: "p" },
      "KAFKA_SASL_MECHANISM: required with KAFKA_SECURITY_PROTOCOL=SASL_SSL",
    ],
    [
      { KAFKA_SASL_MECHANISM: "SCRAM-SHA-512" },
      "KAFKA_SASL_MECHANISM: set, but KAFKA_SECURITY_PROTOCOL=PLAINTEXT does not use SASL",
    ],
    [{ KAFKA_SECURITY_PROTOCOL: "SASL_PLAINTEXT", KAFKA_SASL_MECHANISM: "PLAIN" }, "KAFKA_SASL_USERNAME: required"],
    [
      { KAFKA_SECURITY_PROTOCOL: "SSL", KAFKA_SASL_PASSWORD: "p" },
      "KAFKA_SASL_PASSWORD: set, but KAFKA_SECURITY_PROTOCOL=SSL does not use SASL",
    ],
    [
      {
        KAFKA_SECURITY_PROTOCOL: "SASL_PLAINTEXT",
        KAFKA_SASL_MECHANISM: "PLAIN",
        KAFKA_SASL_USERNAME: "u",
        KAFKA_SASL_PASSWORD: "p",
        KAFKA_SSL_CA_FILE: file("ca2.pem", CA),
      },
      "KAFKA_SSL_CA_FILE: set, but KAFKA_SECURITY_PROTOCOL=SASL_PLAINTEXT does not use TLS",
    ],
    [
      { KAFKA_SECURITY_PROTOCOL: "SSL", KAFKA_SSL_CERT_FILE: file("c2.pem", "CERT") },
      "KAFKA_SSL_KEY_FILE: a client certificate needs both",
    ],
    [
      { KAFKA_SECURITY_PROTOCOL: "SSL", KAFKA_SSL_CA_FILE: "/nonexistent/ca.pem" },
      "KAFKA_SSL_CA_FILE: cannot read /nonexistent/ca.pem",
    ],
    [{ KAFKA_SECURITY_PROTOCOL: "TLS" }, "KAFKA_SECURITY_PROTOCOL:"],
    [
      { KAFKA_SECURITY_PROTOCOL: "SASL_PLAINTEXT", KAFKA_SASL_MECHANISM: "AWS_MSK_IAM", AWS_REGION: "us-east-1" },
      "KAFKA_SECURITY_PROTOCOL: SASL_PLAINTEXT with KAFKA_SASL_MECHANISM=AWS_MSK_IAM: MSK's IAM listeners accept TLS only: use SASL_SSL",
    ],
    [
      { KAFKA_SECURITY_PROTOCOL: "SASL_SSL", KAFKA_SASL_MECHANISM: "AWS_MSK_IAM" },
      "AWS_REGION: required with KAFKA_SASL_MECHANISM=AWS_MSK_IAM",
    ],
    [
      {
        KAFKA_SECURITY_PROTOCOL: "SASL_SSL",
        KAFKA_SASL_MECHANISM: "AWS_MSK_IAM",
        AWS_REGION: "us-east-1",
        KAFKA_SASL_PASSWORD: "p",
      },
      "KAFKA_SASL_PASSWORD: set, but KAFKA_SASL_MECHANISM=AWS_MSK_IAM signs in with the AWS credential chain",
    ],
    [
      { KAFKA_SECURITY_PROTOCOL: "SASL_SSL", KAFKA_SASL_MECHANISM: "AWS_MSK_IAM", AWS_REGION: "us-east1" },
      "AWS_REGION: an AWS region such as us-east-1",
    ],
    [
      {
        KAFKA_SECURITY_PROTOCOL: "SASL_SSL",
        KAFKA_SASL_MECHANISM: "GSSAPI",
        KAFKA_SASL_USERNAME: "u",
        KAFKA_SASL_PASSWORD: "p",
      },
      "KAFKA_SASL_MECHANISM:",
    ],
  ])("refuses %o, naming the key", (env, message) => {
    expect(problems(env)).toContain(message);
  });

  it("says which setting to check for TLS, SASL and ACL failures", () => {
    expect(
      explainKafkaError(
        Object.assign(new Error("self-signed certificate in certificate chain"), { code: "SELF_SIGNED_CERT_IN_CHAIN" }),
      ),
    ).toMatch(/^TLS: the broker's certificate is not trusted .*KAFKA_SSL_CA_FILE$/);
    expect(
      explainKafkaError(
        Object.assign(new Error("SASL SCRAM SHA512 authentication failed"), { name: "KafkaJSSASLAuthenticationError" }),
      ),
    ).toMatch(/^SASL authentication failed .*KAFKA_SASL_PASSWORD/);
    expect(
      explainKafkaError(
        Object.assign(new Error("SASL OAUTHBEARER authentication failed: Access denied"), {
          name: "KafkaJSSASLAuthenticationError",
        }),
      ),
    ).toMatch(/^MSK IAM authentication failed .*kafka-cluster:Connect.*AWS_REGION$/);
    expect(
      explainKafkaError(
        Object.assign(new Error("Not authorized to access topics"), { type: "TOPIC_AUTHORIZATION_FAILED" }),
      ),
    ).toMatch(/^not authorized by the broker's ACLs \(TOPIC_AUTHORIZATION_FAILED\)/);
    expect(
      explainKafkaError(new Error("outer", { cause: Object.assign(new Error("x"), { code: "CERT_HAS_EXPIRED" }) })),
    ).toMatch(/^TLS:/);
    expect(explainKafkaError(new Error("plain failure"))).toBe("plain failure");
  });
});

describe("the pipeline's ACLs", () => {
  const principals = {
    api: "User:api",
    worker: "User:worker",
    alerter: "User:alerter",
    collector: "User:collector",
    scanner: "User:scanner",
    operator: "User:operator",
  };
  const acls = pipelineAcls(TOPICS, principals);
  const who = (name: string, operation: AclBinding["operation"]): string[] =>
    acls
      .filter((acl) => acl.resource === "topic" && acl.name === name && acl.operation === operation)
      .map((acl) => acl.principal)
      .sort();

  it("lets only the API and the operator write config-updates, and only the worker and the scanner write alerts", () => {
    expect(who("config-updates", "write")).toEqual(["User:api", "User:operator"]);
    expect(who("high-priority-alerts", "write")).toEqual(["User:scanner", "User:worker"]);
    expect(who("high-priority-alerts", "read")).toEqual(["User:alerter", "User:api"]);
    expect(who("logs", "write")).toEqual(["User:api", "User:collector"]);
    expect(who("logs", "read")).toEqual(["User:worker"]);
    expect(who("config-updates", "read")).toEqual(["User:api", "User:operator", "User:worker"]);
  });

  it("gives the alerter, collectors and scanner no write beyond their own topics", () => {
    const writes = (principal: string) =>
      acls
        .filter((acl) => acl.principal === principal && acl.operation !== "describe" && acl.operation !== "read")
        .map((acl) => `${acl.resource}:${acl.name}:${acl.operation}`);
    expect(writes("User:alerter")).toEqual(["topic:high-priority-alerts-dlq:write"]);
    expect(writes("User:collector")).toEqual(["topic:logs:write"]);
    expect(writes("User:scanner")).toEqual(["topic:high-priority-alerts:write"]);
  });
});
