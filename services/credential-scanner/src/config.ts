/** Credential scanner configuration, parsed once from the environment in main(). */
import { z } from "zod";
import { commaList, logLevel, parseConfig, secretString, topicEnvShape } from "@soc/shared";
import { checkKafkaEnv, kafkaEnvShape } from "@soc/shared/kafka";
import { tracingEnvShape } from "@soc/shared/telemetry";

export const scannerEnvSchema = z
  .object({
    ...kafkaEnvShape,
    GITHUB_TOKEN: secretString,
    GITHUB_API_URL: z.url().default("https://api.github.com"),
    /** Code-search queries for the organisation: domains, names, code signatures. */
    SCAN_QUERIES: commaList.pipe(z.array(z.string()).min(1)),
    SCAN_STATE_FILE: z.string().min(1).default(".data/credential-scanner-findings.json"),
    LOG_LEVEL: logLevel,
    ...topicEnvShape,
    ...tracingEnvShape,
  })
  .superRefine(checkKafkaEnv);
export type ScannerEnv = z.output<typeof scannerEnvSchema>;

export function parseScannerEnv(env: Record<string, string | undefined>): ScannerEnv {
  return parseConfig(scannerEnvSchema, env);
}
