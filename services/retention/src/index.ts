// Public face of the retention run.
export { parseRetentionJobEnv, retentionJobEnvSchema, type RetentionJobEnv } from "./config.ts";
