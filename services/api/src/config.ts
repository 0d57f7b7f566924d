/** API configuration, parsed once from the environment in main(). */
import { z } from "zod";
import { autoBanRulesSetting } from "./decisions/auto-ban.ts";
import {
  booleanFlag,
  checkElasticsearchEnv,
  checkRedisEnv,
  commaList,
  elasticsearchEnvShape,
  logLevel,
  parseConfig,
  port,
  positiveInt,
  redisEnvShape,
  topicEnvShape,
  whitelistSetting,
  workerGroupEnvShape,
} from "@soc/shared";
import { checkKafkaEnv, kafkaEnvShape } from "@soc/shared/kafka";
import { tracingEnvShape } from "@soc/shared/telemetry";

export const apiEnvSchema = z
  .object({
    API_PORT: port.default(8000),
    ...kafkaEnvShape,
    ...elasticsearchEnvShape,
    ...redisEnvShape,
    /** Bans live under it (as the worker's windows): pipelines sharing a Redis keep their bans apart. */
    REDIS_KEY_PREFIX: z.string().min(1).max(256).default("soc:"),
    /** `type=duration` pairs: which high-priority alerts ban their source, for how long; empty: none (docs/response.md). */
    AUTO_BAN_RULES: autoBanRulesSetting,
    FRONTEND_ORIGIN: commaList.default(["http://localhost:3000"]),
    /** `192.168.1.1,10.0.0.1` in the original contract is an example, not a default: nothing is silenced unless asked. */
    WHITELISTED_IPS: whitelistSetting,
    /** `role:key` pairs, e.g. `admin:abc,ingest:def`; or a mounted file via API_KEYS_FILE. */
    API_KEYS: z.string().default(""),
    /** With AUTH_MODE=open, host names besides loopback the API answers to (against DNS rebinding). */
    ALLOWED_HOSTS: commaList.default([]),
    /** Only an explicit `open` turns access control off. */
    AUTH_MODE: z.enum(["keys", "open"]).default("keys"),
    MAX_BODY_BYTES: positiveInt.default(5 * 1024 * 1024),
    ...tracingEnvShape,
    LOG_LEVEL: logLevel,
    ES_REFRESH_ON_WRITE: booleanFlag.default(false),
    // GET /pipeline reports this group's lag, so it must be the group the workers join.
    ...workerGroupEnvShape,
    ...topicEnvShape,
  })
  .superRefine(checkElasticsearchEnv)
  .superRefine(checkRedisEnv)
  .superRefine(checkKafkaEnv);
export type ApiEnv = z.output<typeof apiEnvSchema>;

export function parseApiEnv(env: Record<string, string | undefined>): ApiEnv {
  return parseConfig(apiEnvSchema, env);
}
