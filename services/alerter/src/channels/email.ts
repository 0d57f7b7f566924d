/** Email over SMTP (nodemailer): HTML and plain text. SMTP 4xx is transient, 5xx is final. */
import nodemailer from "nodemailer";
import type { Secret } from "@soc/shared";
import type { Notification } from "../notification.ts";
import type { AttemptOutcome, Channel } from "./channel.ts";
import { escapeHtml, plainLine } from "./escape.ts";

/** The subject is the template's fixed title; the plain-text part keeps each fact on its own line. */
export function emailBody(notification: Notification): { subject: string; text: string; html: string } {
  const facts = notification.facts.map((fact) => `${plainLine(fact.label)}: ${plainLine(fact.value)}`).join("\n");
  const link = notification.link === null ? "" : `\n\nOpen in the dashboard: ${notification.link}`;
  const rows = notification.facts
    .map(
      (fact) =>
        `<tr><th align="left" style="padding:4px 12px 4px 0">${escapeHtml(fact.label)}</th><td>${escapeHtml(fact.value)}</td></tr>`,
    )
    .join("");
  const button =
    notification.link === null ? "" : `<p><a href="${escapeHtml(notification.link)}">Open in the dashboard</a></p>`;
  return {
    subject: `[SOC] ${plainLine(notification.title)}`,
    text: `${plainLine(notification.text)}\n\n${facts}${link}\n`,
    html: `<h2 style="margin:0 0 8px">${escapeHtml(notification.title)}</h2><p>${escapeHtml(notification.text)}</p><table>${rows}</table>${button}`,
  };
}

export function emailChannel(id: string, options: { smtpUrl: Secret; from: string; to: string[] }): Channel {
  const transport = nodemailer.createTransport(options.smtpUrl.reveal());
  return {
    id,
    kind: "email",
    async send(notification): Promise<AttemptOutcome> {
      try {
        await transport.sendMail({
          from: options.from,
          to: options.to,
          ...emailBody(notification),
          headers: { "X-SOC-Alert-Id": notification.id },
        });
        return { kind: "delivered" };
      } catch (error) {
        const code = (error as { responseCode?: number }).responseCode;
        if (code !== undefined && code >= 500) return { kind: "give-up", reason: "rejected", detail: `SMTP ${code}` };
        return { kind: "retry", cause: code === undefined ? "network" : "server_error", afterMs: null };
      }
    },
  };
}
