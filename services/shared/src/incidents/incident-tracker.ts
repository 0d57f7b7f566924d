/**
 * Which incident is open for each (rule, subject), shared by every worker replica: Redis in a
 * deployment (redis-incident-tracker.ts), memory for the embedded default. The decisions are the
 * pure core's (incident.ts); an adapter only keeps the state and makes each key's update atomic.
 */
import type { AlertStatus } from "../messages.ts";
import {
  incidentKeyOf,
  placeAll,
  withIncidentStatus,
  type Incident,
  type IncidentAlert,
  type IncidentPolicy,
  type OpenIncident,
  type Placed,
} from "./incident.ts";

export interface IncidentTracker {
  /** Places each alert in its incident, in order; one answer per alert. */
  place(alerts: IncidentAlert[]): Promise<Placed[]>;
  /** Sets the status of the incident while it is open; null when it no longer is (then only its stored copy changes). */
  setStatus(incident: Incident, status: AlertStatus, nowSeconds: number): Promise<Incident | null>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** How long an idle key is kept: the window in wall-clock time, the same as event time for live logs, plus a minute of slack. */
export const trackerTtlSeconds = (policy: IncidentPolicy): number => Math.ceil(policy.windowSeconds) + 60;

/** Alerts grouped by their tracker key, keeping each key's alerts (and their indices) in order. */
export function byKey(alerts: IncidentAlert[]): Map<string, { index: number; alert: IncidentAlert }[]> {
  const groups = new Map<string, { index: number; alert: IncidentAlert }[]>();
  alerts.forEach((alert, index) => {
    const key = incidentKeyOf(alert);
    const group = groups.get(key);
    if (group === undefined) groups.set(key, [{ index, alert }]);
    else group.push({ index, alert });
  });
  return groups;
}

export function createMemoryIncidentTracker(
  policy: IncidentPolicy,
  now: () => number = () => Date.now() / 1000,
): IncidentTracker {
  const open = new Map<string, { state: OpenIncident; expiresAt: number }>();
  const current = (key: string): OpenIncident | null => {
    const entry = open.get(key);
    if (entry === undefined || entry.expiresAt <= now()) return null;
    return entry.state;
  };
  const keep = (key: string, state: OpenIncident): void => {
    open.set(key, { state, expiresAt: now() + trackerTtlSeconds(policy) });
  };
  return {
    async place(alerts) {
      const answers: Placed[] = new Array<Placed>(alerts.length);
      for (const [key, group] of byKey(alerts)) {
        const result = placeAll(
          current(key),
          group.map((g) => g.alert),
          policy,
        );
        if (result.open !== null) keep(key, result.open);
        group.forEach(({ index }, i) => (answers[index] = result.placed[i] as Placed));
      }
      return answers;
    },
    async setStatus(incident, status, nowSeconds) {
      const key = incidentKeyOf(incident);
      const state = current(key);
      if (state === null || state.incident.id !== incident.id) return null;
      const changed = withIncidentStatus(state.incident, status, nowSeconds);
      // A status change is no activity: the key keeps its expiry.
      open.set(key, {
        state: { ...state, incident: changed },
        expiresAt: (open.get(key) as { expiresAt: number }).expiresAt,
      });
      return changed;
    },
    async ping() {},
    async close() {},
  };
}
