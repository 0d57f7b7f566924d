/**
 * The credentials the operator uses on a pipeline's Kafka: the pipeline's own (spec.kafka.sasl and
 * spec.kafka.tls, read from Secrets of the pipeline's namespace, as its pods mount them), so the
 * pipeline's ACLs bound what the operator does for it; the operator's own only when the spec
 * references none. Secret values stay inside KafkaSecurity (Secret type) and are never printed.
 */
import { createHmac, randomBytes } from "node:crypto";
import { Secret } from "@soc/shared";
import type { KafkaSasl, KafkaSecurity, SecurityProtocol } from "@soc/shared/kafka";
import { z } from "zod";
import type { SecretKeyRef, SocPipelineSpec } from "../api/v1alpha1/index.ts";
import { KubeApiError, type KubeClient, type KubeObject } from "../kube/client.ts";
import { KafkaAccessRefused } from "./kafka-problem.ts";

type KafkaSpec = SocPipelineSpec["kafka"];

/** The decoded values of a Secret of `namespace`; null when it does not exist. */
export type SecretReader = (namespace: string, name: string) => Promise<Record<string, string> | null>;

export interface PipelineKafkaCredentials {
  /** Null: the operator's own settings. */
  security: KafkaSecurity | null;
  /** Tells credentials apart without revealing them (a keyed hash): part of the client pool's key. */
  identity: string;
}

/** As the pipeline's pods connect (their KAFKA_SECURITY_PROTOCOL); undefined: the spec names no security. */
export function pipelineKafkaProtocol({ tls, sasl }: KafkaSpec): SecurityProtocol | undefined {
  if (tls === undefined && sasl === undefined) return undefined;
  if (sasl === undefined) return "SSL";
  return tls === undefined ? "SASL_PLAINTEXT" : "SASL_SSL";
}

const usesMskIam = ({ sasl }: KafkaSpec): boolean => sasl?.mechanism === "AWS_MSK_IAM";

/**
 * Whether the spec names an identity of its own (a SASL user or a client certificate). Not with
 * AWS_MSK_IAM: the operator signs with its own AWS credentials, as it cannot take the pods' role.
 */
export const hasPipelineIdentity = (kafka: KafkaSpec): boolean =>
  (kafka.sasl !== undefined && !usesMskIam(kafka)) || kafka.tls?.certSecretRef !== undefined;

/** Who the operator is on the pipeline's Kafka, for status and Events: never a secret. */
export function pipelinePrincipal(kafka: KafkaSpec): string {
  if (usesMskIam(kafka))
    return `the operator's own AWS IAM identity (AWS_MSK_IAM in ${kafka.sasl?.region ?? "no region"})`;
  if (kafka.sasl?.username !== undefined) return `User:${kafka.sasl.username}`;
  if (kafka.sasl?.usernameSecretRef !== undefined)
    return `the SASL user in Secret ${kafka.sasl.usernameSecretRef.name}`;
  if (kafka.tls?.certSecretRef !== undefined) return `the client certificate in Secret ${kafka.tls.certSecretRef.name}`;
  return "the operator's own Kafka principal";
}

// Per process: the identity is comparable within this operator only, and useless to anyone who sees it.
const IDENTITY_KEY = randomBytes(32);
export const OPERATOR_IDENTITY = "operator";

function identityOf({ protocol, sasl, tls }: KafkaSecurity): string {
  const saslMaterial =
    sasl === undefined
      ? []
      : sasl.mechanism === "AWS_MSK_IAM"
        ? [sasl.mechanism, sasl.region]
        : [sasl.mechanism, sasl.username, sasl.password.reveal()];
  const material = JSON.stringify([protocol, ...saslMaterial, tls?.ca, tls?.cert, tls?.key?.reveal()]);
  return `pipeline:${createHmac("sha256", IDENTITY_KEY).update(material).digest("hex").slice(0, 32)}`;
}

const definedOnly = <T extends Record<string, unknown>>(object: T): { [K in keyof T]?: Exclude<T[K], undefined> } =>
  Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined)) as {
    [K in keyof T]?: Exclude<T[K], undefined>;
  };

function saslOf(
  sasl: KafkaSpec["sasl"],
  username: string | undefined,
  password: string | undefined,
): KafkaSasl | undefined {
  if (sasl === undefined) return undefined;
  if (sasl.mechanism === "AWS_MSK_IAM")
    return sasl.region === undefined ? undefined : { mechanism: sasl.mechanism, region: sasl.region };
  return username === undefined || password === undefined
    ? undefined
    : { mechanism: sasl.mechanism, username, password: new Secret(password) };
}

/** Reads every Secret key the spec references (each Secret once) and builds the pipeline's KafkaSecurity. */
export async function pipelineKafkaCredentials(
  kafka: KafkaSpec,
  namespace: string,
  readSecret: SecretReader,
): Promise<PipelineKafkaCredentials> {
  const protocol = pipelineKafkaProtocol(kafka);
  if (protocol === undefined) return { security: null, identity: OPERATOR_IDENTITY };
  const secrets = new Map<string, Promise<Record<string, string> | null>>();
  const value = async (ref: SecretKeyRef, field: string): Promise<string> => {
    let secret = secrets.get(ref.name);
    if (secret === undefined) {
      secret = readSecret(namespace, ref.name);
      secrets.set(ref.name, secret);
    }
    const found = (await secret)?.[ref.key];
    if (found === undefined || found === "")
      throw new KafkaAccessRefused(
        "CredentialsNotFound",
        `${field}: key ${ref.key} of Secret ${ref.name} not found in namespace ${namespace}`,
      );
    return found;
  };
  const optional = (ref: SecretKeyRef | undefined, field: string): Promise<string | undefined> =>
    ref === undefined ? Promise.resolve(undefined) : value(ref, field);
  const { sasl, tls } = kafka;
  const [username, password, ca, cert, key] = await Promise.all([
    sasl?.username !== undefined
      ? Promise.resolve(sasl.username)
      : optional(sasl?.usernameSecretRef, "spec.kafka.sasl.usernameSecretRef"),
    optional(sasl?.passwordSecretRef, "spec.kafka.sasl.passwordSecretRef"),
    optional(tls?.caSecretRef, "spec.kafka.tls.caSecretRef"),
    optional(tls?.certSecretRef, "spec.kafka.tls.certSecretRef"),
    optional(tls?.keySecretRef, "spec.kafka.tls.keySecretRef"),
  ]);
  const saslSettings = saslOf(sasl, username, password);
  const security: KafkaSecurity = {
    protocol,
    ...(saslSettings === undefined ? {} : { sasl: saslSettings }),
    ...(tls === undefined
      ? {}
      : { tls: definedOnly({ ca, cert, key: key === undefined ? undefined : new Secret(key) }) }),
  };
  return { security, identity: identityOf(security) };
}

const secretData = z.record(z.string(), z.string()).optional();

/** Reads Secrets through the API server (get by name only: the operator cannot list them). */
export function kubeSecretReader(kube: KubeClient): SecretReader {
  return async (namespace, name) => {
    const secret = await kube
      .get<KubeObject & { data?: unknown }>({ apiVersion: "v1", kind: "Secret", namespace, name })
      .catch((error: unknown) => {
        if (error instanceof KubeApiError && error.statusCode === 403)
          throw new KafkaAccessRefused(
            "CredentialsNotFound",
            `the operator may not read Secret ${name} in namespace ${namespace}: its RBAC needs get on secrets there`,
          );
        throw error;
      });
    if (secret === null) return null;
    const data = secretData.safeParse(secret.data);
    if (!data.success) return null;
    return Object.fromEntries(
      Object.entries(data.data ?? {}).map(([key, value]) => [key, Buffer.from(value, "base64").toString("utf8")]),
    );
  };
}
