/** Worker configuration from the environment (seed section 7 names), validated at start-up. */
import { z } from "zod";
import { checkElasticsearchEnv, checkRedisEnv, commaList, elasticsearchEnvShape, logLevel, parseConfig, port, positiveInt, redisEnvShape, topicEnvShape, whitelistSetting, checkKafkaEnv, kafkaEnvShape } from "@soc/shared";
import { DEFAULT_KEYWORDS, type DetectionConfig } from "./detection/config.ts";

const workerEnvSchema = z
  .object({
    ...kafkaEnvShape,
    ...elasticsearchEnvShape,
    ...redisEnvShape,
    // Starts every counter key, so pipelines sharing a Redis keep their windows apart (the operator sets soc:<namespace>/<pipeline>:).
    REDIS_KEY_PREFIX: z.string().min(1).max(256).default("soc:"),
    ANOMALY_KEYWORDS: commaList.default(DEFAULT_KEYWORDS),
    /** The seed's `192.168.1.1,10.0.0.1` is an example, not a default: nothing is silenced unless asked. */
    WHITELISTED_IPS: whitelistSetting,
    BRUTE_FORCE_THRESHOLD: positiveInt.default(5),
    BRUTE_FORCE_WINDOW_SECONDS: positiveInt.default(300),
    SPIKE_BASELINE_MINUTES: positiveInt.max(24 * 60).default(60),
    SPIKE_MIN_REQUESTS_PER_MINUTE: positiveInt.default(30),
    SPIKE_SIGMA: z.coerce.number().positive().default(3),
    WORKER_METRICS_PORT: port.default(9464),
    WORKER_GROUP_ID: z.string().min(1).default("soc-worker"),
    OTEL_EXPORTER_OTLP_ENDPOINT: z.string().optional(),
    LOG_LEVEL: logLevel,
    ...topicEnvShape,
  })
  .refine((env) => env.BRUTE_FORCE_THRESHOLD >= 2, { path: ["BRUTE_FORCE_THRESHOLD"], message: "must be at least 2, or every failed login is an attack" })
  .superRefine(checkElasticsearchEnv)
  .superRefine(checkRedisEnv)
  .superRefine(checkKafkaEnv);
export type WorkerEnv = z.output<typeof workerEnvSchema>;

export function parseWorkerEnv(env: Record<string, string | undefined>): WorkerEnv {
  return parseConfig(workerEnvSchema, env);
}

export function detectionConfigOf(env: WorkerEnv): DetectionConfig {
  return {
    keywords: env.ANOMALY_KEYWORDS,
    bruteForce: { threshold: env.BRUTE_FORCE_THRESHOLD, windowSeconds: env.BRUTE_FORCE_WINDOW_SECONDS },
    spike: { baselineMinutes: env.SPIKE_BASELINE_MINUTES, minRequestsPerMinute: env.SPIKE_MIN_REQUESTS_PER_MINUTE, sigma: env.SPIKE_SIGMA },
  };
}
