/**
 * Noise control, pure. The first alert of a key in a window is sent, repeats inside the window are
 * suppressed, and when the window closes one follow-up says what was folded. The key is the alert's
 * incident when it has one (docs/incidents.md), else its type and source: an incident is announced
 * once, then updated at most once per window. Alerts of an incident an analyst called a false
 * positive are not sent at all.
 */
import type { HighPriorityAlert } from "@soc/shared";

interface OpenWindow {
  openedAt: number;
  suppressed: number;
  /** The alert sent when the window opened. */
  first: HighPriorityAlert;
  last: HighPriorityAlert;
}

export interface FollowUp {
  alert: HighPriorityAlert;
  /** The alert of the previous notification about the same key. */
  since: HighPriorityAlert;
  suppressed: number;
  windowSeconds: number;
}

export interface Admission {
  action: "send" | "suppress";
  /** For an alert of an incident: the alert of the last notification about that incident, if this process sent one. */
  previous: HighPriorityAlert | null;
}

/** How long the last notification of an incident is remembered: the longest incident span (a day by default). */
const NOTICE_MEMORY_SECONDS = 86_400;

export class NoiseFilter {
  readonly #windows = new Map<string, OpenWindow>();
  readonly #lastNotice = new Map<string, { alert: HighPriorityAlert; at: number }>();
  constructor(readonly windowSeconds: number) {}

  static keyOf(alert: HighPriorityAlert): string {
    return alert.incident?.id ?? `${alert.type}|${alert.source_ip ?? alert.details.subject ?? alert.alert_id}`;
  }

  admit(alert: HighPriorityAlert, nowSeconds: number): Admission {
    if (alert.incident?.status === "false_positive") return { action: "suppress", previous: null };
    const key = NoiseFilter.keyOf(alert);
    const open = this.#windows.get(key);
    if (open !== undefined && nowSeconds - open.openedAt < this.windowSeconds) {
      open.suppressed += 1;
      open.last = alert;
      return { action: "suppress", previous: null };
    }
    const previous = alert.incident === undefined ? null : (this.#lastNotice.get(key)?.alert ?? null);
    this.#windows.set(key, { openedAt: nowSeconds, suppressed: 0, first: alert, last: alert });
    this.#noted(alert, nowSeconds);
    return { action: "send", previous };
  }

  /** Closes the windows that ended; the ones that folded repeats yield a follow-up. */
  closeExpired(nowSeconds: number): FollowUp[] {
    const followUps: FollowUp[] = [];
    for (const [key, open] of this.#windows) {
      if (nowSeconds - open.openedAt < this.windowSeconds) continue;
      this.#windows.delete(key);
      if (open.suppressed === 0) continue;
      followUps.push({
        alert: open.last,
        since: open.first,
        suppressed: open.suppressed,
        windowSeconds: this.windowSeconds,
      });
      this.#noted(open.last, nowSeconds);
    }
    for (const [key, notice] of this.#lastNotice)
      if (nowSeconds - notice.at >= NOTICE_MEMORY_SECONDS) this.#lastNotice.delete(key);
    return followUps;
  }

  #noted(alert: HighPriorityAlert, nowSeconds: number): void {
    if (alert.incident !== undefined) this.#lastNotice.set(alert.incident.id, { alert, at: nowSeconds });
  }
}
