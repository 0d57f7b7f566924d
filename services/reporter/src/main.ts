/**
 * The reporter service: emails last month's report on a schedule (default the 1st, 06:00 UTC).
 * `--once [--month YYYY-MM]` builds and sends one report and exits (on demand, or from a CronJob).
 */
import nodemailer from "nodemailer";
import { parseArgs } from "node:util";
import { createLogger } from "@soc/shared";
import { createElasticsearchStore, elasticsearchStoreOptionsOf } from "@soc/shared/elasticsearch";
import { startTracing, withSpan } from "@soc/shared/telemetry";
import { parseReporterEnv } from "./config.ts";
import { createElasticsearchReportSource } from "./elasticsearch-source.ts";
import { emailMonthlyReport } from "./mail.ts";
import { nextRunAt, previousMonth } from "./schedule.ts";

const env = parseReporterEnv(process.env);
const { values: args } = parseArgs({ options: { once: { type: "boolean", default: false }, month: { type: "string" } } });
const logger = createLogger("reporter", env.LOG_LEVEL);
const tracing = startTracing("soc-reporter", env.OTEL_EXPORTER_OTLP_ENDPOINT, env.OTEL_EXPORTER_OTLP_HEADERS);
await tracing.ready;
const store = createElasticsearchStore(elasticsearchStoreOptionsOf(env));
const source = createElasticsearchReportSource(store.client, store.index);
const transport = nodemailer.createTransport(env.SMTP_URL.reveal());

async function send(month: string): Promise<void> {
  const { incidents } = await withSpan("monthly report", () => emailMonthlyReport({ source, transport, from: env.REPORT_EMAIL_FROM, to: env.REPORT_EMAIL_TO, month, now: new Date() }));
  logger.info({ month, incidents, to: env.REPORT_EMAIL_TO }, "monthly report sent");
}

if (args.once) {
  await send(args.month ?? previousMonth(new Date()));
  await store.close();
  await tracing.shutdown();
} else {
  const schedule = { dayOfMonth: env.REPORT_DAY_OF_MONTH, hourUtc: env.REPORT_HOUR_UTC };
  // setTimeout holds at most ~24.8 days, so wait in steps and re-check.
  const MAX_WAIT_MS = 7 * 86_400_000;
  for (;;) {
    const due = nextRunAt(new Date(), schedule);
    logger.info({ next: due.toISOString() }, "next monthly report");
    while (Date.now() < due.getTime()) await new Promise((resolve) => setTimeout(resolve, Math.min(MAX_WAIT_MS, due.getTime() - Date.now())));
    await send(previousMonth(due)).catch((error: unknown) => logger.error({ err: error }, "monthly report failed; next attempt at the next run"));
  }
}
