import { shown } from "./format.ts";
import { alertLink, type AlertTemplate } from "./template.ts";

/**
 * A leak link only to GitHub's own pages: Kafka is unauthenticated, so a forged alert could
 * otherwise put a phishing page behind the button.
 */
export function trustedLeakUrl(value: unknown, githubWebUrl: string): string | null {
  if (typeof value !== "string") return null;
  try {
    const url = new URL(value);
    const trusted =
      url.protocol === "https:" && (url.origin === "https://github.com" || url.origin === new URL(githubWebUrl).origin);
    return trusted && url.username === "" && url.password === "" ? url.href : null;
  } catch {
    return null;
  }
}

function sentence(findings: number, rules: string | null, where: string, line: string): string {
  if (findings > 1)
    return `Security alert: ${findings} possible credentials${rules === null ? "" : ` (${rules})`} were found in public code at ${where}. Rotate them now.`;
  return `Security alert: a possible ${rules ?? "credential"} was found in public code at ${where}${line}. Rotate it now.`;
}

/**
 * The secret itself never reaches the alert: only where it is and which rules found it. The scanner
 * sends one alert per finding (`rule`, `line`) or per file (`findings`, and `rules` such as
 * "aws-access-key-id ×2, stripe-live-key ×1"); what is missing is left out, never guessed.
 */
export const credentialLeakTemplate: AlertTemplate = {
  type: "credential_leak",
  render(alert, context) {
    const { details } = alert;
    const repository = shown(details.repository);
    const file = shown(details.file);
    const where = [repository, file].filter((part) => part !== null).join("/") || "an unknown location";
    const lineNumber = shown(details.line);
    const line = lineNumber === null ? "" : ` line ${lineNumber}`;
    const rules = shown(details.rules) ?? shown(details.rule);
    const findings = typeof details.findings === "number" ? details.findings : (alert.count ?? 1);
    const url = trustedLeakUrl(details.url, context.githubWebUrl);
    const untrustedUrl = url === null ? shown(details.url) : null;
    return {
      id: alert.alert_id,
      title: "Security alert: leaked credential",
      text: sentence(findings, rules, where, line),
      facts: [
        { label: "Repository", value: repository ?? "unknown" },
        { label: "File", value: `${file ?? "unknown"}${line}` },
        { label: findings > 1 ? "Rules" : "Rule", value: rules ?? "unknown" },
        ...(findings > 1 ? [{ label: "Findings", value: String(findings) }] : []),
        // The scanner stopped early (size, findings or time cap): the file may hold more.
        ...(shown(details.capped_by) === null
          ? []
          : [{ label: "Scan stopped early", value: `${shown(details.capped_by)} cap; the file may hold more` }]),
        // Shown as text for the responder, never as a link.
        ...(untrustedUrl === null ? [] : [{ label: "Reported URL (not GitHub, not linked)", value: untrustedUrl }]),
      ],
      severity: alert.severity,
      link: url ?? alertLink(alert, context),
    };
  },
};
