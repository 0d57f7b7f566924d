/**
 * Reporter configuration, parsed once from the environment in main(). The CronJob runs on
 * REPORT_DAY_OF_MONTH at REPORT_HOUR_UTC; the run reads them to tell which month is due.
 */
import { z } from "zod";
import { checkElasticsearchEnv, commaList, elasticsearchEnvShape, logLevel, parseConfig, Secret } from "@soc/shared";
import { tracingEnvShape } from "@soc/shared/telemetry";

export const reporterEnvSchema = z
  .object({
    ...elasticsearchEnvShape,
    SMTP_URL: z
      .string()
      .min(1)
      .transform((url) => new Secret(url)),
    REPORT_EMAIL_FROM: z.string().default("SOC Pipeline <soc@localhost>"),
    REPORT_EMAIL_TO: commaList.pipe(z.array(z.email()).min(1)),
    REPORT_DAY_OF_MONTH: z.coerce.number().int().min(1).max(28).default(1),
    REPORT_HOUR_UTC: z.coerce.number().int().min(0).max(23).default(6),
    LOG_LEVEL: logLevel,
    ...tracingEnvShape,
  })
  .superRefine(checkElasticsearchEnv);
export type ReporterEnv = z.output<typeof reporterEnvSchema>;

export function parseReporterEnv(env: Record<string, string | undefined>): ReporterEnv {
  return parseConfig(reporterEnvSchema, env);
}
