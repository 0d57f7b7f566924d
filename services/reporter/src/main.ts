/**
 * One monthly report run, then exit: the operator's CronJob runs it on spec.reporter's day and hour.
 * By hand: npx tsx services/reporter/src/main.ts [--month YYYY-MM] [--force]
 * Builds the month's report (default: the month before the latest scheduled run, REPORT_DAY_OF_MONTH
 * at REPORT_HOUR_UTC, so a late start still reports the month it was meant for), emails it as a PDF and records it as sent in
 * `<ELASTICSEARCH_INDEX>-reports`; a month already sent is skipped (exit 0) unless --force. Any
 * failure exits 1, so the Job's backoffLimit retries it.
 */
import nodemailer from "nodemailer";
import { parseArgs } from "node:util";
import { createLogger } from "@soc/shared";
import {
  createElasticsearchStore,
  elasticsearchStoreOptionsOf,
  explained,
  indexSettingsOf,
} from "@soc/shared/elasticsearch";
import { startTracing, withSpan } from "@soc/shared/telemetry";
import { parseReporterEnv } from "./config.ts";
import { createElasticsearchReportDeliveries } from "./elasticsearch-deliveries.ts";
import { createElasticsearchReportSource } from "./elasticsearch-source.ts";
import { emailMonthlyReport } from "./mail.ts";
import { sendReportOnce } from "./run-once.ts";
import { dueMonth } from "./schedule.ts";
import { parseMonth } from "./summary.ts";

const env = parseReporterEnv(process.env);
const logger = createLogger("reporter", env.LOG_LEVEL);
const { values: args } = parseArgs({
  options: { month: { type: "string" }, force: { type: "boolean", default: false } },
});
const month = args.month ?? dueMonth(new Date(), { dayOfMonth: env.REPORT_DAY_OF_MONTH, hourUtc: env.REPORT_HOUR_UTC });
if (parseMonth(month) === null) {
  logger.error({ month }, "--month: expected YYYY-MM");
  process.exit(2);
}

const tracing = startTracing("soc-reporter", env.OTEL_EXPORTER_OTLP_ENDPOINT, env.OTEL_EXPORTER_OTLP_HEADERS);
await tracing.ready;
const storeOptions = elasticsearchStoreOptionsOf(env);
const store = createElasticsearchStore(storeOptions);
const deliveries = createElasticsearchReportDeliveries(store.client, store.index, indexSettingsOf(storeOptions));
const source = createElasticsearchReportSource(store.client, store.index);
const transport = nodemailer.createTransport(env.SMTP_URL.reveal());
try {
  const run = await withSpan("monthly report", () =>
    explained(storeOptions, async () => {
      await deliveries.ensureReady();
      return sendReportOnce({
        month,
        force: args.force,
        recipients: env.REPORT_EMAIL_TO,
        deliveries,
        email: (reportId) =>
          emailMonthlyReport({
            source,
            transport,
            from: env.REPORT_EMAIL_FROM,
            to: env.REPORT_EMAIL_TO,
            month,
            now: new Date(),
            reportId,
          }),
        now: () => new Date(),
      });
    }),
  );
  if (run.outcome === "sent") logger.info({ ...run.report, forced: args.force }, "monthly report sent");
  else logger.info({ ...run.report }, "monthly report already sent: nothing emailed (--force sends it again)");
} catch (error) {
  logger.error({ err: error, month }, "monthly report failed");
  process.exitCode = 1;
} finally {
  transport.close();
  await store.close();
  await tracing.shutdown();
}
