/**
 * How every service and the operator connect to Kafka securely: one environment shape in
 * librdkafka's vocabulary (KAFKA_SECURITY_PROTOCOL, KAFKA_SASL_*, KAFKA_SSL_*), validated at the
 * edge, turned into kafkajs options here and nowhere else; and the pipeline's least-privilege ACLs.
 */
import { readFileSync } from "node:fs";
import type { ConnectionOptions } from "node:tls";
import kafkajs, { type AclEntry, type KafkaConfig, type SASLOptions } from "kafkajs";
import { z } from "zod";
import { Secret } from "../config.ts";
import { isCertificateForAnotherHost, isUntrustedCertificate } from "../tls-errors.ts";
import { deadLetterTopic, type PipelineTopics } from "../messages.ts";
import { mskIamTokenProvider } from "./msk-iam-token.ts";
import { DEFAULT_PIPELINE_GROUPS, type PipelineGroups } from "./topics.ts";

export const SECURITY_PROTOCOLS = ["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] as const;
/** AWS_MSK_IAM: Amazon MSK's IAM sign-in (the name MSK's and librdkafka's docs use), over SASL_SSL only. */
export const SASL_MECHANISMS = ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512", "AWS_MSK_IAM"] as const;
export type SecurityProtocol = (typeof SECURITY_PROTOCOLS)[number];
export type SaslMechanism = (typeof SASL_MECHANISMS)[number];
export type PasswordMechanism = Exclude<SaslMechanism, "AWS_MSK_IAM">;

/** A Kafka user and password, or MSK IAM: a token signed for the cluster's region with the AWS credential chain. */
export type KafkaSasl =
  { mechanism: PasswordMechanism; username: string; password: Secret } | { mechanism: "AWS_MSK_IAM"; region: string };

/** AWS region names: us-east-1, eu-central-2, us-gov-west-1, cn-north-1. */
export const AWS_REGION_PATTERN = /^[a-z]{2}(?:-[a-z]+)+-[0-9]+$/;

export interface KafkaSecurity {
  protocol: SecurityProtocol;
  sasl?: KafkaSasl;
  /** PEM contents, read at start-up so a missing file fails there, naming its variable. */
  tls?: { ca?: string; cert?: string; key?: Secret };
}

export interface KafkaConnection {
  brokers: string[];
  security: KafkaSecurity;
}

export const PLAINTEXT: KafkaSecurity = { protocol: "PLAINTEXT" };

const pemFile = z
  .string()
  .min(1)
  .transform((path, ctx) => {
    try {
      return readFileSync(path, "utf8");
    } catch (error) {
      ctx.addIssue({ code: "custom", message: `cannot read ${path}: ${(error as Error).message}` });
      return z.NEVER;
    }
  });

/** The security keys, for schemas without KAFKA_BROKER (the operator takes brokers from each pipeline). */
export const kafkaSecurityEnvShape = {
  KAFKA_SECURITY_PROTOCOL: z.enum(SECURITY_PROTOCOLS).default("PLAINTEXT"),
  KAFKA_SASL_MECHANISM: z.enum(SASL_MECHANISMS).optional(),
  KAFKA_SASL_USERNAME: z.string().min(1).optional(),
  KAFKA_SASL_PASSWORD: z
    .string()
    .min(1)
    .transform((s) => new Secret(s))
    .optional(),
  KAFKA_SSL_CA_FILE: pemFile.optional(),
  KAFKA_SSL_CERT_FILE: pemFile.optional(),
  KAFKA_SSL_KEY_FILE: pemFile.transform((pem) => new Secret(pem)).optional(),
  /** The MSK cluster's region, with KAFKA_SASL_MECHANISM=AWS_MSK_IAM; the AWS SDK reads the same name. */
  AWS_REGION: z.string().regex(AWS_REGION_PATTERN, "an AWS region such as us-east-1").optional(),
};

/** Every service's Kafka keys; spread into its schema and add `.superRefine(checkKafkaEnv)`. */
export const kafkaEnvShape = {
  /** Comma-separated host:port list. */
  KAFKA_BROKER: z.string().min(1).default("127.0.0.1:19092"),
  ...kafkaSecurityEnvShape,
};

export type KafkaSecurityEnv = z.output<z.ZodObject<typeof kafkaSecurityEnvShape>>;

const usesSasl = (protocol: SecurityProtocol): boolean => protocol.startsWith("SASL_");
const usesTls = (protocol: SecurityProtocol): boolean => protocol.endsWith("SSL");

type KafkaSecurityProblem = { key: keyof KafkaSecurityEnv; message: string };

function saslProblems(env: KafkaSecurityEnv): KafkaSecurityProblem[] {
  const protocol = env.KAFKA_SECURITY_PROTOCOL;
  const problems: KafkaSecurityProblem[] = [];
  const credentials = ["KAFKA_SASL_USERNAME", "KAFKA_SASL_PASSWORD"] as const;
  if (env.KAFKA_SASL_MECHANISM === undefined)
    problems.push({
      key: "KAFKA_SASL_MECHANISM",
      message: `required with KAFKA_SECURITY_PROTOCOL=${protocol}: one of ${SASL_MECHANISMS.join(", ")}`,
    });
  if (env.KAFKA_SASL_MECHANISM === "AWS_MSK_IAM") {
    if (protocol !== "SASL_SSL")
      problems.push({
        key: "KAFKA_SECURITY_PROTOCOL",
        message: `${protocol} with KAFKA_SASL_MECHANISM=AWS_MSK_IAM: MSK's IAM listeners accept TLS only: use SASL_SSL`,
      });
    if (env.AWS_REGION === undefined)
      problems.push({
        key: "AWS_REGION",
        message: "required with KAFKA_SASL_MECHANISM=AWS_MSK_IAM: the MSK cluster's region, e.g. us-east-1",
      });
    for (const key of credentials) {
      if (env[key] !== undefined)
        problems.push({
          key,
          message:
            "set, but KAFKA_SASL_MECHANISM=AWS_MSK_IAM signs in with the AWS credential chain (IRSA, Pod Identity, AWS_ACCESS_KEY_ID, instance role), not a Kafka user",
        });
    }
    return problems;
  }
  if (env.KAFKA_SASL_USERNAME === undefined)
    problems.push({ key: "KAFKA_SASL_USERNAME", message: `required with KAFKA_SECURITY_PROTOCOL=${protocol}` });
  if (env.KAFKA_SASL_PASSWORD === undefined)
    problems.push({
      key: "KAFKA_SASL_PASSWORD",
      message: `required with KAFKA_SECURITY_PROTOCOL=${protocol} (or KAFKA_SASL_PASSWORD_FILE)`,
    });
  return problems;
}

/** The combinations librdkafka would refuse or silently ignore, each reported on its own key. */
export function kafkaSecurityProblems(env: KafkaSecurityEnv): KafkaSecurityProblem[] {
  const protocol = env.KAFKA_SECURITY_PROTOCOL;
  const problems: KafkaSecurityProblem[] = [];
  if (usesSasl(protocol)) {
    problems.push(...saslProblems(env));
  } else {
    // A credential that would be ignored is a misconfiguration, not a default to fall back on.
    for (const key of ["KAFKA_SASL_MECHANISM", "KAFKA_SASL_USERNAME", "KAFKA_SASL_PASSWORD"] as const) {
      if (env[key] !== undefined)
        problems.push({
          key,
          message: `set, but KAFKA_SECURITY_PROTOCOL=${protocol} does not use SASL: use SASL_SSL (or SASL_PLAINTEXT)`,
        });
    }
  }
  if (!usesTls(protocol)) {
    for (const key of ["KAFKA_SSL_CA_FILE", "KAFKA_SSL_CERT_FILE", "KAFKA_SSL_KEY_FILE"] as const) {
      if (env[key] !== undefined)
        problems.push({
          key,
          message: `set, but KAFKA_SECURITY_PROTOCOL=${protocol} does not use TLS: use SSL or SASL_SSL`,
        });
    }
  } else if ((env.KAFKA_SSL_CERT_FILE === undefined) !== (env.KAFKA_SSL_KEY_FILE === undefined)) {
    const missing = env.KAFKA_SSL_CERT_FILE === undefined ? "KAFKA_SSL_CERT_FILE" : "KAFKA_SSL_KEY_FILE";
    problems.push({
      key: missing,
      message: "a client certificate needs both KAFKA_SSL_CERT_FILE and KAFKA_SSL_KEY_FILE",
    });
  }
  return problems;
}

/** For `.superRefine` on a schema that spreads kafkaEnvShape or kafkaSecurityEnvShape. */
export function checkKafkaEnv(env: KafkaSecurityEnv, ctx: z.RefinementCtx): void {
  for (const { key, message } of kafkaSecurityProblems(env)) ctx.addIssue({ code: "custom", path: [key], message });
}

function saslOf(env: KafkaSecurityEnv): KafkaSasl | undefined {
  const {
    KAFKA_SASL_MECHANISM: mechanism,
    KAFKA_SASL_USERNAME: username,
    KAFKA_SASL_PASSWORD: password,
    AWS_REGION: region,
  } = env;
  if (!usesSasl(env.KAFKA_SECURITY_PROTOCOL) || mechanism === undefined) return undefined;
  if (mechanism === "AWS_MSK_IAM") return region === undefined ? undefined : { mechanism, region };
  return username === undefined || password === undefined ? undefined : { mechanism, username, password };
}

/** Assumes a parsed env that passed checkKafkaEnv. */
export function kafkaSecurityOf(env: KafkaSecurityEnv): KafkaSecurity {
  const protocol = env.KAFKA_SECURITY_PROTOCOL;
  const sasl = saslOf(env);
  const tls = usesTls(protocol)
    ? { ca: env.KAFKA_SSL_CA_FILE, cert: env.KAFKA_SSL_CERT_FILE, key: env.KAFKA_SSL_KEY_FILE }
    : undefined;
  return { protocol, ...(sasl === undefined ? {} : { sasl }), ...(tls === undefined ? {} : { tls }) };
}

export function kafkaConnectionOf(env: KafkaSecurityEnv & { KAFKA_BROKER: string }): KafkaConnection {
  const brokers = env.KAFKA_BROKER.split(",")
    .map((broker) => broker.trim())
    .filter((broker) => broker !== "");
  return { brokers, security: kafkaSecurityOf(env) };
}

const kafkajsMechanism = {
  PLAIN: "plain",
  "SCRAM-SHA-256": "scram-sha-256",
  "SCRAM-SHA-512": "scram-sha-512",
} as const;

function kafkajsSasl(sasl: KafkaSasl): SASLOptions {
  if (sasl.mechanism === "AWS_MSK_IAM")
    return { mechanism: "oauthbearer", oauthBearerProvider: mskIamTokenProvider(sasl.region) };
  return {
    mechanism: kafkajsMechanism[sasl.mechanism],
    username: sasl.username,
    password: sasl.password.reveal(),
  } as SASLOptions;
}

/** The only place a Kafka secret is revealed: into the kafkajs client's options. */
export function kafkajsSecurityOptions(security: KafkaSecurity): Pick<KafkaConfig, "ssl" | "sasl"> {
  const options: Pick<KafkaConfig, "ssl" | "sasl"> = {};
  if (security.tls !== undefined) {
    const { ca, cert, key } = security.tls;
    const tls: ConnectionOptions = {
      // Certificates are always verified; without a CA file, against Node's public roots.
      rejectUnauthorized: true,
      ...(ca === undefined ? {} : { ca: [ca] }),
      ...(cert === undefined || key === undefined ? {} : { cert, key: key.reveal() }),
    };
    options.ssl = tls;
  }
  if (security.sasl !== undefined) options.sasl = kafkajsSasl(security.sasl);
  return options;
}

const saslWho = (sasl: KafkaSasl): string =>
  sasl.mechanism === "AWS_MSK_IAM" ? `in ${sasl.region}` : `as ${sasl.username}`;

/** For logs and status: the protocol, mechanism and user (or MSK's region), never a secret. */
export function describeKafkaSecurity(security: KafkaSecurity): string {
  const sasl = security.sasl === undefined ? "" : ` ${security.sasl.mechanism} ${saslWho(security.sasl)}`;
  const mtls = security.tls?.cert === undefined ? "" : " with a client certificate";
  return `${security.protocol}${sasl}${mtls}`;
}

/** Makes kafkajs' failures say which setting to look at; the message is otherwise kept. */
export function explainKafkaError(error: unknown): string {
  const err = error as { name?: string; message?: string; code?: string; type?: string; cause?: unknown };
  const message = err.message ?? String(error);
  const tlsCodes = new Set([
    "SELF_SIGNED_CERT_IN_CHAIN",
    "DEPTH_ZERO_SELF_SIGNED_CERT",
    "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
    "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
    "CERT_HAS_EXPIRED",
    "ERR_TLS_CERT_ALTNAME_INVALID",
  ]);
  if (err.code !== undefined && tlsCodes.has(err.code))
    return `TLS: the broker's certificate is not trusted (${err.code}: ${message}); check KAFKA_SSL_CA_FILE`;
  // kafkajs logs a connection failure as text only, without Node's error code.
  if (isUntrustedCertificate(message) || isCertificateForAnotherHost(message))
    return `TLS: the broker's certificate is not trusted (${message}); check KAFKA_SSL_CA_FILE`;
  if (err.name === "KafkaJSSASLAuthenticationError" && message.includes("OAUTHBEARER"))
    return `MSK IAM authentication failed (${message}); check the AWS credentials the process gets (IRSA or EKS Pod Identity), their IAM policy (kafka-cluster:Connect on the cluster) and AWS_REGION`;
  if (err.name === "KafkaJSSASLAuthenticationError")
    return `SASL authentication failed (${message}); check KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD and KAFKA_SASL_MECHANISM`;
  if (err.type !== undefined && err.type.endsWith("AUTHORIZATION_FAILED"))
    return `not authorized by the broker's ACLs (${err.type}): ${message}`;
  if (err.cause !== undefined && err.cause !== error) {
    const inner = explainKafkaError(err.cause);
    if (inner !== (err.cause as Error).message) return inner;
  }
  return message;
}

/** Kafka principals (e.g. `User:api`) of the pipeline's parts. */
export interface PipelinePrincipals {
  api: string;
  worker: string;
  alerter: string;
  collector: string;
  scanner: string;
  operator: string;
}

export interface AclBinding {
  principal: string;
  resource: "topic" | "group";
  name: string;
  pattern: "literal" | "prefixed";
  operation: "read" | "write" | "describe" | "create" | "delete";
}

/**
 * Least privilege (security audit H2): only the API and the operator write `config-updates`;
 * only the worker and the scanner write `high-priority-alerts`; the alerter and the API (automatic bans) only read it;
 * collectors only write `logs`. Everyone may describe the pipeline's topics, which start-up's
 * topic check needs; only the operator may create them.
 */
export function pipelineAcls(
  topics: PipelineTopics,
  principals: PipelinePrincipals,
  groups: PipelineGroups = DEFAULT_PIPELINE_GROUPS,
): AclBinding[] {
  const all = [topics.logs, topics.configUpdates, topics.highPriorityAlerts];
  const topic = (principal: string, name: string, operation: AclBinding["operation"]): AclBinding => ({
    principal,
    resource: "topic",
    name,
    pattern: "literal",
    operation,
  });
  const group = (principal: string, name: string, operation: AclBinding["operation"]): AclBinding => ({
    principal,
    resource: "group",
    name,
    pattern: "prefixed",
    operation,
  });
  const describeAll = (principal: string): AclBinding[] =>
    [...all, ...all.map(deadLetterTopic)].map((name) => topic(principal, name, "describe"));
  const { api, worker, alerter, collector, scanner, operator } = principals;
  return [
    ...Object.values(principals).flatMap(describeAll),
    // API: ingest, whitelist changes, its whitelist follower, automatic bans from alerts, the worker's lag on GET /pipeline.
    topic(api, topics.logs, "write"),
    topic(api, topics.configUpdates, "write"),
    topic(api, topics.configUpdates, "read"),
    topic(api, topics.highPriorityAlerts, "read"),
    topic(api, deadLetterTopic(topics.configUpdates), "write"),
    group(api, groups.api, "read"),
    group(api, groups.api, "delete"),
    group(api, groups.worker, "describe"),
    // Worker: reads logs and config-updates, writes alerts and dead letters.
    topic(worker, topics.logs, "read"),
    topic(worker, topics.configUpdates, "read"),
    topic(worker, topics.highPriorityAlerts, "write"),
    topic(worker, deadLetterTopic(topics.logs), "write"),
    topic(worker, deadLetterTopic(topics.configUpdates), "write"),
    group(worker, groups.worker, "read"),
    group(worker, groups.worker, "delete"),
    // Alerter: reads alerts only; a malformed one goes to its dead-letter topic.
    topic(alerter, topics.highPriorityAlerts, "read"),
    topic(alerter, deadLetterTopic(topics.highPriorityAlerts), "write"),
    group(alerter, groups.alerter, "read"),
    topic(collector, topics.logs, "write"),
    topic(scanner, topics.highPriorityAlerts, "write"),
    // Operator: creates the topics, publishes IpWhitelists against what config-updates says (read
    // through its own follower group), reads the workers' lag.
    ...[...all, ...all.map(deadLetterTopic)].map((name) => topic(operator, name, "create")),
    topic(operator, topics.configUpdates, "write"),
    topic(operator, topics.configUpdates, "read"),
    group(operator, groups.operator, "read"),
    group(operator, groups.operator, "delete"),
    group(operator, groups.worker, "describe"),
  ];
}

// Node's CommonJS export detection misses kafkajs' enums; they are on its default export.
const { AclOperationTypes, AclPermissionTypes, AclResourceTypes, ResourcePatternTypes } = kafkajs;
const resourceTypes = { topic: AclResourceTypes.TOPIC, group: AclResourceTypes.GROUP };
const operations = {
  read: AclOperationTypes.READ,
  write: AclOperationTypes.WRITE,
  describe: AclOperationTypes.DESCRIBE,
  create: AclOperationTypes.CREATE,
  delete: AclOperationTypes.DELETE,
};

export function kafkajsAclEntry(binding: AclBinding): AclEntry {
  return {
    principal: binding.principal,
    host: "*",
    resourceType: resourceTypes[binding.resource],
    resourceName: binding.name,
    resourcePatternType: binding.pattern === "literal" ? ResourcePatternTypes.LITERAL : ResourcePatternTypes.PREFIXED,
    operation: operations[binding.operation],
    permissionType: AclPermissionTypes.ALLOW,
  };
}
