import type { HighPriorityAlert, HighPriorityAlertType } from "@soc/shared";
import type { Notification } from "../notification.ts";
import { shown, timestamp } from "./format.ts";
import { renderAlert } from "./index.ts";
import type { RenderContext } from "./template.ts";

/** What an incident's events are, per alert type. */
const EVENTS: Record<HighPriorityAlertType, string> = {
  brute_force: "failed logins",
  traffic_spike: "requests",
  credential_leak: "findings",
};

const plural = (count: number, one: string, many: string): string => `${count} ${count === 1 ? one : many}`;

/**
 * "Still ongoing: 290 more failed logins (58 alerts) from 183.62.140.253 since 2025-12-10T10:55:02Z;
 * 295 in 59 alerts since 2025-12-10T10:54:27Z." Counts are the incident's own, from the worker: exact
 * whichever replica raised each alert. `since` is the alert of the previous notification, when known.
 */
export function renderIncidentUpdate(
  alert: HighPriorityAlert,
  since: HighPriorityAlert | null,
  context: RenderContext,
): Notification {
  const latest = renderAlert(alert, context);
  const incident = alert.incident;
  if (incident === undefined) return latest;
  const events = EVENTS[alert.type];
  const source = shown(alert.source_ip);
  const from = source === null ? "" : ` from ${source}`;
  const total = `${incident.events} ${events} in ${plural(incident.alerts, "alert", "alerts")} since ${timestamp(incident.first_seen)}`;
  const previous = since?.incident?.id === incident.id ? since.incident : undefined;
  const more =
    previous === undefined
      ? `${events}${from} continue`
      : `${incident.events - previous.events} more ${events} (${plural(incident.alerts - previous.alerts, "alert", "alerts")})${from} since ${timestamp(previous.last_seen)}`;
  return {
    ...latest,
    id: `${alert.alert_id}#update`,
    title: `Update: ${latest.title.replace(/^Security alert: /, "")}`,
    text: `Still ongoing: ${more}; ${total}.`,
    facts: [{ label: "Incident", value: incident.id }, { label: "Status", value: incident.status }, ...latest.facts],
  };
}
