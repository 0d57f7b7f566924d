/**
 * The brokers an end-to-end run can use, and how each part of the pipeline connects to them: the
 * plaintext broker, where everyone is anonymous, or the SASL_SSL broker of
 * scripts/infra/kafka-secure.sh, where each part signs in as its own principal and only its ACLs
 * (pipelineAcls) let it through.
 */
import { readFileSync } from "node:fs";
import {
  DEFAULT_PIPELINE_GROUPS,
  pipelineTopicSpecs,
  Secret,
  silentLogger,
  type Logger,
  type PipelineTopics,
} from "@soc/shared";
import {
  createKafkaBus,
  pipelineAcls,
  PLAINTEXT,
  type KafkaBus,
  type KafkaSecurity,
  type PipelinePrincipals,
  type PasswordMechanism,
} from "@soc/shared/kafka";
import { eventually, kafkaSecurePassword, missingInfra, realInfra } from "@soc/shared/testing";

/** A part of the pipeline, or `admin`, who sets topics and ACLs up and inspects topics. */
export type Principal = keyof PipelinePrincipals | "admin";

export interface KafkaTarget {
  /** For test names. */
  label: string;
  /** True when `make infra-up` did not start this broker (the suites then skip). */
  missing: boolean;
  connect(principal: Principal, clientId: string, logger?: Logger): KafkaBus;
  /** What a service process reads to connect as `principal` (kafka-security.ts's environment). */
  serviceEnv(principal: Principal): Record<string, string>;
  /** Creates the pipeline's topics and, where the broker enforces them, its ACLs. */
  prepare(admin: KafkaBus, topics: PipelineTopics): Promise<void>;
}

const PRINCIPALS: PipelinePrincipals = {
  api: "User:api",
  worker: "User:worker",
  alerter: "User:alerter",
  collector: "User:collector",
  scanner: "User:scanner",
  operator: "User:operator",
};
const secureCaFile = realInfra.kafkaSecureCaFile ?? "";
const secureMissing = missingInfra("kafkaSecureBroker") || missingInfra("kafkaSecureCaFile");

/** A SCRAM login on the SASL_SSL broker; tests of refusals change the mechanism, password or CA (null: none). */
export function scram(
  user: Principal,
  options: { mechanism?: PasswordMechanism; password?: string; ca?: string | null } = {},
): KafkaSecurity {
  return {
    protocol: "SASL_SSL",
    sasl: {
      mechanism: options.mechanism ?? "SCRAM-SHA-512",
      username: user,
      password: new Secret(options.password ?? kafkaSecurePassword(user)),
    },
    tls: options.ca === null ? {} : { ca: options.ca ?? readFileSync(secureCaFile, "utf8") },
  };
}

export function connectSecure(clientId: string, security: KafkaSecurity, logger: Logger = silentLogger()): KafkaBus {
  return createKafkaBus({
    brokers: [realInfra.kafkaSecureBroker ?? ""],
    clientId,
    logger,
    security,
    publishTimeoutMs: 4_000,
  });
}

export const PLAINTEXT_KAFKA: KafkaTarget = {
  label: "plaintext Kafka",
  missing: missingInfra("kafkaBroker"),
  connect: (_principal, clientId, logger = silentLogger()) =>
    createKafkaBus({ brokers: [realInfra.kafkaBroker ?? ""], clientId, logger, security: PLAINTEXT }),
  serviceEnv: () => ({ KAFKA_BROKER: realInfra.kafkaBroker ?? "" }),
  prepare: (admin, topics) => admin.ensureTopics(pipelineTopicSpecs(topics)),
};

export const SECURE_KAFKA: KafkaTarget = {
  label: "SASL_SSL Kafka, one principal per service",
  missing: secureMissing,
  connect: (principal, clientId, logger) => connectSecure(clientId, scram(principal), logger),
  serviceEnv: (principal) => ({
    KAFKA_BROKER: realInfra.kafkaSecureBroker ?? "",
    KAFKA_SECURITY_PROTOCOL: "SASL_SSL",
    KAFKA_SASL_MECHANISM: "SCRAM-SHA-512",
    KAFKA_SASL_USERNAME: principal,
    KAFKA_SASL_PASSWORD: kafkaSecurePassword(principal),
    KAFKA_SSL_CA_FILE: secureCaFile,
  }),
  async prepare(admin, topics) {
    await admin.ensureTopics(pipelineTopicSpecs(topics));
    await admin.ensureAcls(pipelineAcls(topics, PRINCIPALS));
    // The broker applies new ACLs a moment after the controller accepted them: wait until a
    // service sees its topics, or its first request may be refused.
    const probe = connectSecure(`soc-api-acl-probe-${topics.logs}`, scram("api"));
    try {
      await eventually(() => probe.lag(DEFAULT_PIPELINE_GROUPS.worker, topics.configUpdates), {
        timeoutMs: 15_000,
        intervalMs: 100,
      });
    } finally {
      await probe.close();
    }
  },
};
