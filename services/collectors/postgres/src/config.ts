/** PostgreSQL collector configuration, parsed once from the environment in main(). */
import { z } from "zod";
import { logLevel, parseConfig, port, positiveInt, topicEnvShape } from "@soc/shared";
import { checkKafkaEnv, kafkaEnvShape } from "@soc/shared/kafka";
import { tracingEnvShape } from "@soc/shared/telemetry";

export const postgresCollectorEnvSchema = z
  .object({
    ...kafkaEnvShape,
    ...tracingEnvShape,
    POSTGRES_LOG_DIR: z.string().min(1),
    COLLECTOR_CURSOR_FILE: z.string().min(1).default(".data/collector-postgres.cursor"),
    COLLECTOR_POLL_SECONDS: positiveInt.default(2),
    COLLECTOR_PORT: port.default(9470),
    LOG_LEVEL: logLevel,
    ...topicEnvShape,
  })
  .superRefine(checkKafkaEnv);
export type PostgresCollectorEnv = z.output<typeof postgresCollectorEnvSchema>;

export function parsePostgresCollectorEnv(env: Record<string, string | undefined>): PostgresCollectorEnv {
  return parseConfig(postgresCollectorEnvSchema, env);
}
