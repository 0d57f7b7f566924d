/**
 * One month's report, at most once: skipped when the month is already recorded as sent (a Job's
 * retry after a failure past the email, a second manual run) unless forced. Recorded only after the
 * SMTP server accepted the email, so a failure before it (Elasticsearch, rendering, SMTP) sends
 * nothing and the retry sends it.
 */
import { randomUUID } from "node:crypto";
import type { ReportDeliveries, SentReport } from "./deliveries.ts";

export type ReportRun = { outcome: "sent"; report: SentReport } | { outcome: "already-sent"; report: SentReport };

export async function sendReportOnce(options: {
  month: string;
  force: boolean;
  recipients: string[];
  deliveries: ReportDeliveries;
  /** Builds and emails the report under this id; resolves once the SMTP server accepted it. */
  email: (reportId: string) => Promise<{ incidents: number }>;
  now: () => Date;
}): Promise<ReportRun> {
  const previous = await options.deliveries.sent(options.month);
  if (previous !== null && !options.force) return { outcome: "already-sent", report: previous };
  const reportId = randomUUID();
  const { incidents } = await options.email(reportId);
  const report: SentReport = {
    month: options.month,
    reportId,
    sentAt: Math.floor(options.now().getTime() / 1000),
    recipients: options.recipients,
    incidents,
  };
  try {
    await options.deliveries.record(report);
  } catch (error) {
    throw new Error(
      `the ${options.month} report (${reportId}) was emailed but could not be recorded as sent: a retry will email it again`,
      { cause: error },
    );
  }
  return { outcome: "sent", report };
}
