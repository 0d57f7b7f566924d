import { duration, origin, shown, sourceWithOrigin, timestamp } from "./format.ts";
import { alertLink, type AlertTemplate } from "./template.ts";

export const bruteForceTemplate: AlertTemplate = {
  type: "brute_force",
  render(alert, context) {
    const span = alert.first_seen !== null && alert.last_seen !== null ? alert.last_seen - alert.first_seen : null;
    const within = span === null ? "" : ` in ${duration(span)}`;
    const from = shown(alert.source_ip) ?? "an unknown address";
    const where = origin(alert);
    return {
      id: alert.alert_id,
      title: "Security alert: brute-force attack detected",
      text: `Security alert: brute-force attack detected. ${alert.count ?? "Several"} failed logins from ${sourceWithOrigin(alert, from)}${within}.`,
      facts: [
        { label: "Source IP", value: from },
        ...(where === null ? [] : [{ label: "Source network", value: where }]),
        { label: "Failed logins", value: String(alert.count ?? "unknown") },
        { label: "Window", value: alert.window_seconds === null ? "unknown" : duration(alert.window_seconds) },
        { label: "First seen", value: timestamp(alert.first_seen) },
        { label: "Last seen", value: timestamp(alert.last_seen) },
      ],
      severity: alert.severity,
      link: alertLink(alert, context),
    };
  },
};
