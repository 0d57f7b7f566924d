/**
 * Noise control, pure: the first alert of a key (type + IP) in a window is sent, repeats inside the
 * window are suppressed, and when the window closes one follow-up says how many were folded.
 */
import type { HighPriorityAlert } from "@soc/shared";

interface OpenWindow {
  openedAt: number;
  suppressed: number;
  last: HighPriorityAlert;
}

export interface FollowUp {
  alert: HighPriorityAlert;
  suppressed: number;
  windowSeconds: number;
}

export class NoiseFilter {
  readonly #windows = new Map<string, OpenWindow>();
  constructor(readonly windowSeconds: number) {}

  static keyOf(alert: HighPriorityAlert): string {
    return `${alert.type}|${alert.source_ip ?? alert.details.subject ?? alert.alert_id}`;
  }

  /** "send" for the first of its key in the window, "suppress" for a repeat. */
  admit(alert: HighPriorityAlert, nowSeconds: number): "send" | "suppress" {
    const key = NoiseFilter.keyOf(alert);
    const open = this.#windows.get(key);
    if (open !== undefined && nowSeconds - open.openedAt < this.windowSeconds) {
      open.suppressed += 1;
      open.last = alert;
      return "suppress";
    }
    this.#windows.set(key, { openedAt: nowSeconds, suppressed: 0, last: alert });
    return "send";
  }

  /** Closes the windows that ended; the ones that folded repeats yield a follow-up. */
  closeExpired(nowSeconds: number): FollowUp[] {
    const followUps: FollowUp[] = [];
    for (const [key, open] of this.#windows) {
      if (nowSeconds - open.openedAt < this.windowSeconds) continue;
      this.#windows.delete(key);
      if (open.suppressed > 0) followUps.push({ alert: open.last, suppressed: open.suppressed, windowSeconds: this.windowSeconds });
    }
    return followUps;
  }
}
