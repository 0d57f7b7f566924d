/**
 * What a channel delivers: the plain-English sentence, the facts a responder needs, and a link.
 * `title`, `text` and `facts` are plain text that may quote an attacker (each channel escapes it for
 * its own markup); `link` is the only thing a channel shows as a link.
 */
export interface Notification {
  /** Stable id: the alert id, or the alert id plus "#follow-up". */
  id: string;
  /** Fixed per alert type, so it never carries alert data (it is the email subject). */
  title: string;
  /** The sentence a responder reads first, e.g. "5 failed logins from 198.51.100.10 in 4 minutes." */
  text: string;
  facts: { label: string; value: string }[];
  severity: "medium" | "high" | "critical";
  /** Built by the alerter (the dashboard) or checked by the template (a GitHub page); never raw alert text. */
  link: string | null;
}
