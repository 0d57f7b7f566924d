/** Operator configuration, parsed once from the environment in main(). */
import { hostname } from "node:os";
import { z } from "zod";
import { booleanFlag, logLevel, parseConfig, port, positiveInt } from "@soc/shared";
import { checkKafkaEnv, kafkaSecurityEnvShape } from "@soc/shared/kafka";
import { tracingEnvShape } from "@soc/shared/telemetry";
import { brokerPolicyEnvShape } from "./kafka/broker-policy.ts";

const operatorEnvSchema = z
  .object({
    OPERATOR_PORT: port.default(8080),
    LEADER_ELECT: booleanFlag.default(true),
    LEADER_ELECTION_NAMESPACE: z.string().min(1).default("default"),
    LEADER_ELECTION_ID: z.string().min(1).default("soc-operator"),
    LEASE_DURATION_SECONDS: positiveInt.default(15),
    LEASE_RENEW_DEADLINE_SECONDS: positiveInt.default(10),
    LEASE_RETRY_PERIOD_SECONDS: positiveInt.default(2),
    /** The leader identity; the Pod name in a cluster (downward API). */
    POD_NAME: z.string().min(1).default(`${hostname()}-${process.pid}`),
    RECONCILE_CONCURRENCY: positiveInt.max(16).default(2),
    WATCH_TIMEOUT_SECONDS: positiveInt.default(240),
    WATCH_GRACE_SECONDS: positiveInt.default(30),
    RESYNC_SECONDS: positiveInt.default(300),
    LOG_LEVEL: logLevel,
    /** How the admin client and the autoscaler reach every pipeline's Kafka: KAFKA_SECURITY_PROTOCOL, KAFKA_SASL_*, KAFKA_SSL_*. */
    ...kafkaSecurityEnvShape,
    /** Which brokers a pipeline may name (KAFKA_BROKER_ALLOWLIST, KAFKA_BROKERS_IN_NAMESPACE); both unset: any. */
    ...brokerPolicyEnvShape,
    /** Refuse pipelines without Kafka credentials of their own, so the operator never writes as itself. */
    KAFKA_REQUIRE_PIPELINE_CREDENTIALS: booleanFlag.default(false),
    /** Kafka clients unused this long are closed. */
    KAFKA_CLIENT_IDLE_SECONDS: positiveInt.default(600),
    KAFKA_CLIENTS_MAX: positiveInt.max(1024).default(64),
    ...tracingEnvShape,
  })
  .superRefine(checkKafkaEnv);
export type OperatorEnv = z.output<typeof operatorEnvSchema>;

export function parseOperatorEnv(env: Record<string, string | undefined>): OperatorEnv {
  return parseConfig(operatorEnvSchema, env);
}
