import { describe, expect, it } from "vitest";
import { parseConfig } from "@soc/shared";
import { z } from "zod";
import {
  brokerAllowed,
  brokerPolicyEnvShape,
  brokerPolicyOf,
  describePolicy,
  isServiceOfNamespace,
  OPEN_POLICY,
  parseBrokerRule,
  refusedBrokers,
  type BrokerPolicy,
} from "./broker-policy.ts";

const policyOf = (allowlist: string, inNamespace = "false"): BrokerPolicy =>
  brokerPolicyOf(
    parseConfig(z.object(brokerPolicyEnvShape), {
      KAFKA_BROKER_ALLOWLIST: allowlist,
      KAFKA_BROKERS_IN_NAMESPACE: inNamespace,
    }),
  );

describe("broker allow-list", () => {
  const policy = policyOf(
    "kafka.kafka.svc.cluster.local:9092, *.kafka.example.com, 10.20.0.0/16:9093, 192.0.2.7, team-a=a-kafka.team-a.svc:9092, [fd00::/8]:9092",
  );

  it.each([
    ["an exact name and port", "shop", "kafka.kafka.svc.cluster.local", 9092, true],
    ["an exact name on another port", "shop", "kafka.kafka.svc.cluster.local", 9093, false],
    ["names compare case-insensitively, a final dot ignored", "shop", "KAFKA.kafka.svc.cluster.local.", 9092, true],
    ["a name under a wildcard, any port", "shop", "b-1.eu.kafka.example.com", 19092, true],
    ["the wildcard's domain itself", "shop", "kafka.example.com", 9092, false],
    ["a name that only ends like the wildcard", "shop", "evilkafka.example.com", 9092, false],
    ["an address in a block, on its port", "shop", "10.20.3.4", 9093, true],
    ["an address in a block, on another port", "shop", "10.20.3.4", 22, false],
    ["an address outside every block", "shop", "10.21.0.1", 9093, false],
    ["a single address, any port", "shop", "192.0.2.7", 1234, true],
    ["a name is never matched against a block (no DNS answer decides)", "shop", "localhost", 9093, false],
    ["an IPv6 address in a block", "shop", "fd00::1", 9092, true],
    ["a namespace's own rule, in that namespace", "team-a", "a-kafka.team-a.svc", 9092, true],
    ["a namespace's own rule, from another namespace", "team-b", "a-kafka.team-a.svc", 9092, false],
  ])("%s", (_case, namespace, host, port, allowed) => {
    expect(brokerAllowed(policy, namespace, host, port)).toBe(allowed);
  });

  it("allows anything when nothing is configured (the behaviour before the allow-list)", () => {
    expect(brokerAllowed(OPEN_POLICY, "shop", "b-kafka.b.svc", 9092)).toBe(true);
    expect(brokerAllowed(policyOf(""), "shop", "169.254.169.254", 80)).toBe(true);
  });

  it("names the bootstrap brokers it refuses, and what the namespace may use instead", () => {
    expect(
      refusedBrokers(policy, "team-b", [
        "kafka.kafka.svc.cluster.local:9092",
        "a-kafka.team-a.svc:9092",
        "10.20.0.1:9093",
      ]),
    ).toEqual(["a-kafka.team-a.svc:9092"]);
    expect(describePolicy(policy, "team-b")).toBe(
      "kafka.kafka.svc.cluster.local:9092, *.kafka.example.com, 10.20.0.0/16:9093, 192.0.2.7, [fd00::/8]:9092",
    );
    expect(describePolicy(policyOf("team-a=k.team-a.svc"), "team-b")).toBe("none for this namespace");
  });

  it.each([
    ["not a host", "exa mple.com"],
    ["a wildcard over a top-level domain", "*.com"],
    ["a wildcard inside a name", "kafka-*.example.com"],
    ["a port out of range", "kafka.example.com:70000"],
    ["a block wider than the family", "10.0.0.0/33"],
    ["a namespace that is no namespace name", "Team_A=kafka.example.com"],
  ])("refuses %s at start-up, naming the entry", (_case, entry) => {
    expect(parseBrokerRule(entry)).toEqual(expect.stringContaining(entry));
    expect(() => policyOf(`kafka.example.com,${entry}`)).toThrow(entry);
  });
});

describe("in-namespace Services only", () => {
  const policy = policyOf("", "true");

  it.each([
    ["a Service of the pipeline's namespace", "kafka.shop.svc", true],
    ["its full cluster name", "kafka.shop.svc.cluster.local", true],
    ["a StatefulSet pod behind a headless Service there", "kafka-0.kafka-headless.shop.svc.cluster.local", true],
    ["a Service of another namespace", "kafka.other.svc.cluster.local", false],
    ["a short name, which resolves in the operator's namespace, not the pipeline's", "kafka", false],
    ["a name that only contains the namespace", "shop.svc.evil.example.com", false],
    ["the namespace's suffix with nothing before it", ".shop.svc", false],
    ["an address", "10.0.0.5", false],
  ])("%s", (_case, host, allowed) => {
    expect(brokerAllowed(policy, "shop", host, 9092)).toBe(allowed);
    expect(isServiceOfNamespace(host, "shop")).toBe(allowed);
  });

  it("adds to the allow-list rather than replacing it", () => {
    const both = policyOf("kafka.platform.svc:9092", "true");
    expect(brokerAllowed(both, "shop", "kafka.platform.svc", 9092)).toBe(true);
    expect(brokerAllowed(both, "shop", "kafka.shop.svc", 9092)).toBe(true);
    expect(brokerAllowed(both, "shop", "kafka.other.svc", 9092)).toBe(false);
  });
});
