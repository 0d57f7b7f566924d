import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { socPipelineObject, type SocPipelineSpec } from "../api/v1alpha1/index.ts";
import { KafkaAccessRefused } from "./kafka-problem.ts";
import {
  hasPipelineIdentity,
  OPERATOR_IDENTITY,
  pipelineKafkaCredentials,
  pipelinePrincipal,
  type SecretReader,
} from "./pipeline-credentials.ts";

const kafkaSpec = (kafka: Record<string, unknown>): SocPipelineSpec["kafka"] =>
  socPipelineObject.parse({
    apiVersion: "socpipeline.io/v1alpha1",
    kind: "SocPipeline",
    metadata: { name: "shop", namespace: "soc", uid: "u", generation: 1, resourceVersion: "1" },
    spec: { kafka: { brokers: ["kafka.soc.svc:9093"], ...kafka }, api: { apiKeysSecretRef: { name: "k", key: "k" } } },
  }).spec.kafka;

/** Secrets of namespace "soc"; records which were read. */
function secrets(data: Record<string, Record<string, string>>): { read: SecretReader; reads: string[] } {
  const reads: string[] = [];
  return {
    reads,
    read: async (namespace, name) => (
      reads.push(`${namespace}/${name}`),
      namespace === "soc" ? (data[name] ?? null) : null
    ),
  };
}

const sasl = {
  mechanism: "SCRAM-SHA-512",
  username: "shop",
  passwordSecretRef: { name: "kafka-user", key: "password" },
};
const tls = { caSecretRef: { name: "kafka-ca", key: "ca.crt" } };

describe("the operator's credentials for a pipeline", () => {
  it("are the operator's own when the spec names none", async () => {
    const { read, reads } = secrets({});
    expect(await pipelineKafkaCredentials(kafkaSpec({}), "soc", read)).toEqual({
      security: null,
      identity: OPERATOR_IDENTITY,
    });
    expect(reads).toEqual([]);
    expect(pipelinePrincipal(kafkaSpec({}))).toBe("the operator's own Kafka principal");
  });

  it("are the pipeline's SASL user over TLS, read from Secrets of its namespace, as its pods connect", async () => {
    const { read, reads } = secrets({
      "kafka-user": { password: "s3cret-pw" },
      "kafka-ca": { "ca.crt": "-----BEGIN CERTIFICATE-----" },
    });
    const { security, identity } = await pipelineKafkaCredentials(kafkaSpec({ sasl, tls }), "soc", read);
    expect(security).toMatchObject({ protocol: "SASL_SSL", sasl: { mechanism: "SCRAM-SHA-512", username: "shop" } });
    expect(
      security?.sasl !== undefined && "password" in security.sasl ? security.sasl.password.reveal() : undefined,
    ).toBe("s3cret-pw");
    expect(security?.tls?.ca).toBe("-----BEGIN CERTIFICATE-----");
    expect(reads.sort()).toEqual(["soc/kafka-ca", "soc/kafka-user"]);
    // Neither the identity (a pool key) nor the object printed shows the password.
    for (const printed of [identity, JSON.stringify(security), inspect(security, { depth: 10 })])
      expect(printed).not.toContain("s3cret-pw");
    expect(pipelinePrincipal(kafkaSpec({ sasl, tls }))).toBe("User:shop");
  });

  it("tell rotated credentials apart, so the pool makes a new client", async () => {
    const before = await pipelineKafkaCredentials(
      kafkaSpec({ sasl }),
      "soc",
      secrets({ "kafka-user": { password: "one" } }).read,
    );
    const same = await pipelineKafkaCredentials(
      kafkaSpec({ sasl }),
      "soc",
      secrets({ "kafka-user": { password: "one" } }).read,
    );
    const after = await pipelineKafkaCredentials(
      kafkaSpec({ sasl }),
      "soc",
      secrets({ "kafka-user": { password: "two" } }).read,
    );
    expect(before.security?.protocol).toBe("SASL_PLAINTEXT");
    expect(same.identity).toBe(before.identity);
    expect(after.identity).not.toBe(before.identity);
  });

  it("take a client certificate for mutual TLS, and a username from a Secret", async () => {
    const spec = kafkaSpec({
      tls: { certSecretRef: { name: "client", key: "tls.crt" }, keySecretRef: { name: "client", key: "tls.key" } },
      sasl: {
        mechanism: "PLAIN",
        usernameSecretRef: { name: "client", key: "user" },
        passwordSecretRef: { name: "client", key: "password" },
      },
    });
    const { read, reads } = secrets({
      client: { "tls.crt": "CERT", "tls.key": "KEY", user: "shop-from-secret", password: "pw" },
    });
    const { security } = await pipelineKafkaCredentials(spec, "soc", read);
    expect(security).toMatchObject({
      protocol: "SASL_SSL",
      sasl: { mechanism: "PLAIN", username: "shop-from-secret" },
      tls: { cert: "CERT" },
    });
    expect(security?.tls?.key?.reveal()).toBe("KEY");
    // One read per Secret, however many keys it gives.
    expect(reads).toEqual(["soc/client"]);
    expect(pipelinePrincipal(spec)).toBe("the SASL user in Secret client");
  });

  it("are the operator's own AWS identity with AWS_MSK_IAM, signing for the spec's region over TLS, reading no Secret", async () => {
    const { read, reads } = secrets({});
    const spec = kafkaSpec({ tls: {}, sasl: { mechanism: "AWS_MSK_IAM", region: "eu-west-1" } });
    const { security, identity } = await pipelineKafkaCredentials(spec, "soc", read);
    expect(security).toEqual({
      protocol: "SASL_SSL",
      sasl: { mechanism: "AWS_MSK_IAM", region: "eu-west-1" },
      tls: {},
    });
    expect(reads).toEqual([]);
    const otherRegion = await pipelineKafkaCredentials(
      kafkaSpec({ tls: {}, sasl: { mechanism: "AWS_MSK_IAM", region: "us-east-1" } }),
      "soc",
      read,
    );
    expect(otherRegion.identity).not.toBe(identity);
    // The operator cannot take the pods' IAM role: no identity of the pipeline's own, which requirePipelineCredentials refuses.
    expect(hasPipelineIdentity(spec)).toBe(false);
    expect(hasPipelineIdentity(kafkaSpec({ sasl }))).toBe(true);
    expect(pipelinePrincipal(spec)).toBe("the operator's own AWS IAM identity (AWS_MSK_IAM in eu-west-1)");
  });

  it("are refused, naming the field and key, when a Secret or key is missing", async () => {
    const missingSecret = pipelineKafkaCredentials(kafkaSpec({ sasl }), "soc", secrets({}).read);
    await expect(missingSecret).rejects.toBeInstanceOf(KafkaAccessRefused);
    await expect(missingSecret).rejects.toThrow(
      "spec.kafka.sasl.passwordSecretRef: key password of Secret kafka-user not found in namespace soc",
    );
    await expect(
      pipelineKafkaCredentials(kafkaSpec({ sasl }), "soc", secrets({ "kafka-user": { other: "x" } }).read),
    ).rejects.toMatchObject({ reason: "CredentialsNotFound" });
  });
});
