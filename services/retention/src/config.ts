/** Configuration of a retention run, from the environment: the store settings every service reads (retention included). */
import { z } from "zod";
import { checkElasticsearchEnv, elasticsearchEnvShape, logLevel, parseConfig } from "@soc/shared";

export const retentionJobEnvSchema = z
  .object({ ...elasticsearchEnvShape, LOG_LEVEL: logLevel })
  .superRefine(checkElasticsearchEnv);
export type RetentionJobEnv = z.output<typeof retentionJobEnvSchema>;

export function parseRetentionJobEnv(env: Record<string, string | undefined>): RetentionJobEnv {
  return parseConfig(retentionJobEnvSchema, env);
}
