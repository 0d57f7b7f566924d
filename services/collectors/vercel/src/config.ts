/** Vercel log-drain collector configuration, parsed once from the environment in main(). */
import { z } from "zod";
import { DEFAULT_DRAIN_SERVER_LIMITS, DEFAULT_MAX_BODY_BYTES } from "@soc/collector-framework";
import { logLevel, parseConfig, port, positiveInt, secretString, topicEnvShape } from "@soc/shared";
import { checkKafkaEnv, kafkaEnvShape } from "@soc/shared/kafka";
import { tracingEnvShape } from "@soc/shared/telemetry";

export const vercelCollectorEnvSchema = z
  .object({
    ...kafkaEnvShape,
    ...tracingEnvShape,
    VERCEL_DRAIN_SECRET: secretString,
    VERCEL_VERIFY_TOKEN: z.string().min(1),
    COLLECTOR_PORT: port.default(9471),
    DRAIN_MAX_BODY_BYTES: positiveInt.default(DEFAULT_MAX_BODY_BYTES),
    DRAIN_MAX_CONNECTIONS: positiveInt.default(DEFAULT_DRAIN_SERVER_LIMITS.maxConnections),
    LOG_LEVEL: logLevel,
    ...topicEnvShape,
  })
  .superRefine(checkKafkaEnv);
export type VercelCollectorEnv = z.output<typeof vercelCollectorEnvSchema>;

export function parseVercelCollectorEnv(env: Record<string, string | undefined>): VercelCollectorEnv {
  return parseConfig(vercelCollectorEnvSchema, env);
}
