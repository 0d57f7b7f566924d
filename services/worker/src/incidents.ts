/**
 * Where the worker meets the incident core (@soc/shared incidents): which alert a document is,
 * which incident it joined, and what the high-priority message says of that incident.
 */
import {
  UNNAMED_SOURCE,
  type HighPriorityAlert,
  type IncidentAlert,
  type IncomingMessage,
  type Placed,
  type ProcessedLog,
} from "@soc/shared";
import type { Analysis } from "./analyze.ts";

/**
 * What the alerts of an incident share besides the rule: the source address or host; for an
 * endpoint's traffic spike the endpoint; else the log source, so keyword hits of one program group.
 */
function subjectOf(doc: ProcessedLog, analysis: Analysis): string {
  const details = analysis.verdict.alert?.details;
  if (details?.scope === "endpoint" && typeof details.subject === "string") return details.subject;
  return doc.source_ip ?? doc.source_host ?? doc.source ?? UNNAMED_SOURCE;
}

/** The document as an alert for the incident core; null for a normal log. */
export function incidentAlertOf(
  doc: ProcessedLog,
  analysis: Analysis,
  message: Pick<IncomingMessage, "topic" | "partition" | "offset">,
): IncidentAlert | null {
  if (!doc.is_anomaly || doc.rule == null) return null;
  return {
    alertId: doc.id,
    rule: doc.rule,
    subject: subjectOf(doc, analysis),
    timeSeconds: doc.timestamp,
    severity: doc.severity ?? "medium",
    events: analysis.verdict.alert?.count ?? 1,
    reason: doc.reason ?? "",
    source: doc.source ?? null,
    sourceIp: doc.source_ip,
    position: { stream: `${message.topic}-${message.partition}`, offset: Number(message.offset) },
  };
}

/** The document joins its incident and takes the incident's status (an acknowledged incident's new alerts are acknowledged). */
export function joinDocument(doc: ProcessedLog, placed: Placed): void {
  doc.incident_id = placed.incident.id;
  doc.status = placed.incident.status;
}

/** The incident as the alert message tells it; `opened` on its first alert, a redelivered one too. */
export function incidentOfAlert({ incident }: Placed, alertId: string): NonNullable<HighPriorityAlert["incident"]> {
  return {
    id: incident.id,
    opened: incident.first_alert_id === alertId,
    status: incident.status,
    alerts: incident.alerts,
    events: incident.events,
    first_seen: incident.first_seen,
    last_seen: incident.last_seen,
  };
}
