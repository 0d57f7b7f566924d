/**
 * Which months' reports were emailed, so a re-run (the Job's retry, a manual run) never emails a
 * month twice. Keyed by month; `createMemoryReportDeliveries` for tests and the embedded default.
 */
export interface SentReport {
  month: string;
  /** Also the email's Message-ID: a mail client can tell a re-sent copy (forced) from a new report. */
  reportId: string;
  /** Epoch seconds. */
  sentAt: number;
  recipients: string[];
  incidents: number;
}

export interface ReportDeliveries {
  sent(month: string): Promise<SentReport | null>;
  record(report: SentReport): Promise<void>;
}

export function createMemoryReportDeliveries(): ReportDeliveries {
  const byMonth = new Map<string, SentReport>();
  return {
    sent: async (month) => byMonth.get(month) ?? null,
    async record(report) {
      byMonth.set(report.month, report);
    },
  };
}
