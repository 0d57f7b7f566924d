/**
 * Sent reports on Elasticsearch: one small index beside the processed logs (`<alias>-reports`, outside
 * the alias's time-based indices, so the retention never deletes it), one document per month.
 */
import type { Client, estypes } from "@elastic/elasticsearch";
import type { ReportDeliveries, SentReport } from "./deliveries.ts";

export const reportsIndexOf = (alias: string): string => `${alias}-reports`;

const REPORTS_MAPPING: estypes.MappingTypeMapping = {
  dynamic: "strict",
  properties: {
    month: { type: "keyword" },
    report_id: { type: "keyword" },
    sent_at: { type: "date", format: "epoch_second" },
    recipients: { type: "keyword" },
    incidents: { type: "long" },
  },
};

interface StoredReport {
  month: string;
  report_id: string;
  sent_at: number;
  recipients: string[];
  incidents: number;
}

/** `settings`: the store's (indexSettingsOf), so the record has the replicas the logs have. */
export function createElasticsearchReportDeliveries(
  client: Client,
  alias: string,
  settings: estypes.IndicesIndexSettings,
): ReportDeliveries & { index: string; ensureReady(): Promise<void> } {
  const index = reportsIndexOf(alias);
  return {
    index,
    async ensureReady() {
      if (await client.indices.exists({ index })) return;
      await client.indices.create({ index, settings, mappings: REPORTS_MAPPING }).catch((error: unknown) => {
        // Another run created it first.
        if (!String(error).includes("resource_already_exists_exception")) throw error;
      });
    },
    async sent(month) {
      const response = await client.get<StoredReport>({ index, id: month }, { ignore: [404] });
      const stored = response.found ? response._source : undefined;
      if (stored === undefined) return null;
      return {
        month: stored.month,
        reportId: stored.report_id,
        sentAt: stored.sent_at,
        recipients: stored.recipients,
        incidents: stored.incidents,
      };
    },
    async record(report: SentReport) {
      const document: StoredReport = {
        month: report.month,
        report_id: report.reportId,
        sent_at: report.sentAt,
        recipients: report.recipients,
        incidents: report.incidents,
      };
      await client.index({ index, id: report.month, document, refresh: "wait_for" });
    },
  };
}
