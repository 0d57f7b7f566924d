import { alertLink, type AlertTemplate } from "./template.ts";

/** The secret itself never reaches the alert: only where it is and which rule found it. */
export const credentialLeakTemplate: AlertTemplate = {
  type: "credential_leak",
  render(alert, dashboardUrl) {
    const where = [alert.details.repository, alert.details.file].filter((part) => typeof part === "string").join("/");
    const line = alert.details.line === undefined ? "" : ` line ${alert.details.line}`;
    return {
      id: alert.alert_id,
      title: "Security alert: leaked credential",
      text: `Security alert: a possible ${alert.details.rule ?? "credential"} was found in public code at ${where || "an unknown location"}${line}. Rotate it now.`,
      facts: [
        { label: "Repository", value: String(alert.details.repository ?? "unknown") },
        { label: "File", value: `${alert.details.file ?? "unknown"}${line}` },
        { label: "Rule", value: String(alert.details.rule ?? "unknown") },
      ],
      severity: alert.severity,
      link: typeof alert.details.url === "string" ? alert.details.url : alertLink(alert, dashboardUrl),
    };
  },
};
