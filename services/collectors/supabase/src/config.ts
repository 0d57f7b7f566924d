/** Supabase collector configuration, parsed once from the environment in main(). */
import { z } from "zod";
import { DEFAULT_DRAIN_SERVER_LIMITS, DEFAULT_MAX_BODY_BYTES } from "@soc/collector-framework";
import { logLevel, parseConfig, port, positiveInt, secretString, topicEnvShape } from "@soc/shared";
import { checkKafkaEnv, kafkaEnvShape } from "@soc/shared/kafka";
import { tracingEnvShape } from "@soc/shared/telemetry";

export const supabaseCollectorEnvSchema = z
  .object({
    ...kafkaEnvShape,
    ...tracingEnvShape,
    SUPABASE_API_URL: z.url().default("https://api.supabase.com"),
    SUPABASE_PROJECT_REF: z.string().min(1),
    SUPABASE_ACCESS_TOKEN: secretString,
    SUPABASE_DRAIN_HEADER: z.string().min(1).default("X-Drain-Token"),
    SUPABASE_DRAIN_SECRET: secretString.optional(),
    COLLECTOR_CURSOR_FILE: z.string().min(1).default(".data/collector-supabase.cursor"),
    COLLECTOR_POLL_SECONDS: positiveInt.default(60),
    COLLECTOR_PORT: port.default(9472),
    DRAIN_MAX_BODY_BYTES: positiveInt.default(DEFAULT_MAX_BODY_BYTES),
    DRAIN_MAX_CONNECTIONS: positiveInt.default(DEFAULT_DRAIN_SERVER_LIMITS.maxConnections),
    LOG_LEVEL: logLevel,
    ...topicEnvShape,
  })
  .superRefine(checkKafkaEnv);
export type SupabaseCollectorEnv = z.output<typeof supabaseCollectorEnvSchema>;

export function parseSupabaseCollectorEnv(env: Record<string, string | undefined>): SupabaseCollectorEnv {
  return parseConfig(supabaseCollectorEnvSchema, env);
}
