import { shown, sourceWithOrigin, timestamp } from "./format.ts";
import { alertLink, type AlertTemplate } from "./template.ts";

export const trafficSpikeTemplate: AlertTemplate = {
  type: "traffic_spike",
  render(alert, context) {
    // The subject ("on /login") holds the requested path: whoever sends the requests chooses it.
    const subject =
      shown(alert.details.subject) ?? `from ${sourceWithOrigin(alert, shown(alert.source_ip) ?? "unknown")}`;
    const mean = Number(alert.details.baseline_mean ?? 0);
    return {
      id: alert.alert_id,
      title: "Security alert: traffic spike",
      text: `Security alert: traffic spike ${subject}. ${alert.count ?? "Many"} requests in one minute, against a usual ${mean.toFixed(1)} per minute.`,
      facts: [
        { label: "Scope", value: shown(alert.details.scope) ?? "ip" },
        { label: "Requests this minute", value: String(alert.count ?? "unknown") },
        {
          label: "Baseline",
          value: `${mean.toFixed(1)} ± ${Number(alert.details.baseline_stddev ?? 0).toFixed(1)} per minute`,
        },
        { label: "Minute starting", value: timestamp(alert.first_seen) },
      ],
      severity: alert.severity,
      link: alertLink(alert, context),
    };
  },
};
