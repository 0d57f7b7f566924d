/**
 * Incidents, the pure core: alerts of one rule about one subject (a source address or host, else the
 * log source) that keep coming within a quiet window are one incident, with its first and last
 * event time, counts and a status its alerts share (docs/incidents.md). Given an alert and the
 * incident open for its (rule, subject), `place` decides whether it joins or opens one.
 */
import { z } from "zod";
import { DETECTION_DEFAULTS } from "../detection-defaults.ts";
import {
  alertStatusSchema,
  ANOMALY_SEVERITIES,
  DETECTION_RULES,
  type AnomalySeverity,
  type DetectionRule,
} from "../messages.ts";

export const incidentSchema = z.object({
  id: z.string(),
  rule: z.enum(DETECTION_RULES),
  /** What its alerts share besides the rule: the source address or host, else the log source's name. */
  subject: z.string(),
  status: alertStatusSchema,
  /** The highest severity of its alerts. */
  severity: z.enum(ANOMALY_SEVERITIES),
  /** Event time of its first and last alert, epoch seconds. */
  first_seen: z.number(),
  last_seen: z.number(),
  /** Alerts in it. */
  alerts: z.number().int().positive(),
  /** Events behind those alerts (failed logins, requests), one per alert for a single-line rule. */
  events: z.number().int().nonnegative(),
  /** The reason of its latest alert. */
  reason: z.string(),
  source: z.string().nullable(),
  source_ip: z.string().nullable(),
  first_alert_id: z.string(),
  last_alert_id: z.string(),
  status_updated_at: z.number().nullable(),
  /** Grows with every change; a store keeps the highest, so replicas writing out of order never go back. */
  revision: z.number().int().positive(),
});
export type Incident = z.infer<typeof incidentSchema>;

export interface IncidentPolicy {
  /** A quiet gap longer than this (event time) ends an incident: the next alert opens another. */
  windowSeconds: number;
  /** Longest span of one incident: a campaign of weeks is reported as daily incidents, not one that never ends. */
  maxSeconds: number;
  /** Most alerts in one incident, so triaging one stays bounded. */
  maxAlerts: number;
}

export const DEFAULT_INCIDENT_POLICY: IncidentPolicy = {
  windowSeconds: DETECTION_DEFAULTS.incidentWindowSeconds,
  maxSeconds: DETECTION_DEFAULTS.incidentMaxSeconds,
  maxAlerts: DETECTION_DEFAULTS.incidentMaxAlerts,
};

/** What the core needs of an alert (an anomalous processed log). */
export interface IncidentAlert {
  alertId: string;
  rule: DetectionRule;
  subject: string;
  timeSeconds: number;
  severity: AnomalySeverity;
  /** Events behind the alert (a brute-force alert's failed logins); 1 for a single line. */
  events: number;
  reason: string;
  source: string | null;
  sourceIp: string | null;
  /** Where the alert was read (topic-partition and offset), so a redelivered one is not counted twice. */
  position: { stream: string; offset: number } | null;
}

/** The incident open for a (rule, subject), with the last position joined from each stream. */
export interface OpenIncident {
  incident: Incident;
  positions: Record<string, number>;
}

export type Placement = "opened" | "joined" | "repeated";

export interface Placed {
  placement: Placement;
  /** The incident after this alert. */
  incident: Incident;
}

/** The key incidents are tracked under: one open incident per rule and subject. */
export const incidentKeyOf = (alert: Pick<IncidentAlert, "rule" | "subject">): string =>
  `${alert.rule}:${alert.subject}`;

/** Deterministic from its first alert's id, so a redelivered batch opens the same incident. */
export const incidentIdOf = (firstAlertId: string): string => `inc-${firstAlertId}`;

const severityRank = (severity: AnomalySeverity): number => ANOMALY_SEVERITIES.indexOf(severity);

function wasJoined(open: OpenIncident, alert: IncidentAlert): boolean {
  if (alert.position === null) return false;
  const last = open.positions[alert.position.stream];
  return last !== undefined && alert.position.offset <= last;
}

/** Whether the alert belongs to the open incident: not resolved, within the window of it, within the caps. */
export function joins(incident: Incident, alert: IncidentAlert, policy: IncidentPolicy): boolean {
  if (incident.status === "resolved") return false;
  if (incident.alerts >= policy.maxAlerts) return false;
  const t = alert.timeSeconds;
  if (t > incident.last_seen + policy.windowSeconds || t < incident.first_seen - policy.windowSeconds) return false;
  return Math.max(incident.last_seen, t) - Math.min(incident.first_seen, t) <= policy.maxSeconds;
}

function opened(alert: IncidentAlert): OpenIncident {
  return {
    incident: {
      id: incidentIdOf(alert.alertId),
      rule: alert.rule,
      subject: alert.subject,
      status: "new",
      severity: alert.severity,
      first_seen: alert.timeSeconds,
      last_seen: alert.timeSeconds,
      alerts: 1,
      events: alert.events,
      reason: alert.reason,
      source: alert.source,
      source_ip: alert.sourceIp,
      first_alert_id: alert.alertId,
      last_alert_id: alert.alertId,
      status_updated_at: null,
      revision: 1,
    },
    positions: alert.position === null ? {} : { [alert.position.stream]: alert.position.offset },
  };
}

function joined(open: OpenIncident, alert: IncidentAlert): OpenIncident {
  const { incident } = open;
  const latest = alert.timeSeconds >= incident.last_seen;
  return {
    incident: {
      ...incident,
      severity: severityRank(alert.severity) > severityRank(incident.severity) ? alert.severity : incident.severity,
      first_seen: Math.min(incident.first_seen, alert.timeSeconds),
      last_seen: Math.max(incident.last_seen, alert.timeSeconds),
      alerts: incident.alerts + 1,
      events: incident.events + alert.events,
      ...(latest ? { reason: alert.reason, last_alert_id: alert.alertId } : {}),
      source_ip: incident.source_ip ?? alert.sourceIp,
      revision: incident.revision + 1,
    },
    positions:
      alert.position === null ? open.positions : { ...open.positions, [alert.position.stream]: alert.position.offset },
  };
}

/** Joins the alert to the open incident, or opens one; an alert already joined (redelivered) changes nothing. */
export function place(
  open: OpenIncident | null,
  alert: IncidentAlert,
  policy: IncidentPolicy,
): { open: OpenIncident; placed: Placed } {
  if (open !== null && wasJoined(open, alert))
    return { open, placed: { placement: "repeated", incident: open.incident } };
  const next = open !== null && joins(open.incident, alert, policy) ? joined(open, alert) : opened(alert);
  return {
    open: next,
    placed: {
      placement: open !== null && next.incident.id === open.incident.id ? "joined" : "opened",
      incident: next.incident,
    },
  };
}

/** Places alerts of one key in order; `open` is what the tracker holds for the key. */
export function placeAll(
  open: OpenIncident | null,
  alerts: IncidentAlert[],
  policy: IncidentPolicy,
): { open: OpenIncident | null; placed: Placed[] } {
  let current = open;
  const placed: Placed[] = [];
  for (const alert of alerts) {
    const step = place(current, alert, policy);
    current = step.open;
    placed.push(step.placed);
  }
  return { open: current, placed };
}

/** The open incident after an analyst set its status; a resolved one takes no more alerts. */
export function withIncidentStatus(incident: Incident, status: Incident["status"], nowSeconds: number): Incident {
  return { ...incident, status, status_updated_at: nowSeconds, revision: incident.revision + 1 };
}

/**
 * Every incident a batch placed alerts in, each at its last state (a key may end one incident and
 * open another). Repeats count too: a batch redelivered after a crash rewrites what it had not stored.
 */
export function latestStates(placed: Placed[]): Incident[] {
  const byId = new Map<string, Incident>();
  for (const { incident } of placed) byId.set(incident.id, incident);
  return [...byId.values()];
}
