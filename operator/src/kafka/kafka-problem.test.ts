import { describe, expect, it } from "vitest";
import { KafkaAccessRefused, kafkaProblem } from "./kafka-problem.ts";

/** Shaped as kafkajs throws them: protocol errors carry `type`, retries wrap the cause. */
const kafkajsError = (name: string, message: string, extra: Record<string, unknown> = {}): Error =>
  Object.assign(new Error(message), { name, ...extra });

describe("what status says about a failed Kafka step", () => {
  const unreachable = [
    new Error("connect ECONNREFUSED 10.0.0.7:9092"),
    kafkajsError("KafkaJSNumberOfRetriesExceeded", "Connection timeout", {
      cause: kafkajsError("KafkaJSConnectionError", "Connection timeout", { broker: "10.0.0.7:9092" }),
    }),
    new Error("getaddrinfo ENOTFOUND b-kafka.b.svc"),
    new Error("Client network socket disconnected before secure TLS connection was established"),
    new Error("connecting to Kafka timed out after 5000 ms; last error: connect EHOSTUNREACH 10.0.0.7:9092"),
  ];

  it("is one message for every failure before a broker answered, however it failed", () => {
    const problems = unreachable.map((error) => kafkaProblem(error, "User:shop"));
    expect(new Set(problems.map((p) => JSON.stringify(p))).size).toBe(1);
    expect(problems[0]).toEqual({
      reason: "KafkaUnreachable",
      permanent: false,
      message: expect.stringContaining("operator's log") as unknown as string,
    });
    expect(problems[0]?.message).not.toMatch(/ECONN|ENOTFOUND|timeout|TLS|10\.0\.0\.7|b-kafka/i);
  });

  it("names the broker's own answers: a refused login and refused ACLs, with the principal", () => {
    const login = kafkaProblem(
      kafkajsError("KafkaJSNumberOfRetriesExceeded", "x", {
        cause: kafkajsError("KafkaJSSASLAuthenticationError", "SASL SCRAM SHA512 authentication failed"),
      }),
      "User:shop",
    );
    expect(login).toMatchObject({ reason: "AuthenticationFailed", permanent: false });
    expect(login.message).toContain("spec.kafka.sasl");
    const acl = kafkaProblem(
      new Error("Kafka did not acknowledge the message", {
        cause: kafkajsError("KafkaJSProtocolError", "Not authorized to access topics", {
          type: "TOPIC_AUTHORIZATION_FAILED",
        }),
      }),
      "User:shop",
    );
    expect(acl).toMatchObject({ reason: "NotAuthorized", permanent: false });
    expect(acl.message).toContain("User:shop");
    expect(acl.message).toContain("TOPIC_AUTHORIZATION_FAILED");
    const aggregate = kafkaProblem(
      kafkajsError("KafkaJSAggregateError", "x", {
        errors: [kafkajsError("KafkaJSProtocolError", "y", { type: "CLUSTER_AUTHORIZATION_FAILED" })],
      }),
      "User:shop",
    );
    expect(aggregate.reason).toBe("NotAuthorized");
  });

  it("passes the operator's own refusals through; only a missing Secret is retried", () => {
    expect(kafkaProblem(new KafkaAccessRefused("BrokerNotAllowed", "brokers x:1 are outside"), "User:shop")).toEqual({
      reason: "BrokerNotAllowed",
      message: "brokers x:1 are outside",
      permanent: true,
    });
    expect(kafkaProblem(new KafkaAccessRefused("CredentialsNotFound", "no Secret"), "User:shop").permanent).toBe(false);
  });
});
