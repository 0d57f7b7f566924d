/** What a channel delivers: the plain-English sentence, the facts a responder needs, and a link. */
export interface Notification {
  /** Stable id: the alert id, or the alert id plus "#follow-up". */
  id: string;
  title: string;
  /** The sentence a responder reads first, e.g. "5 failed logins from 198.51.100.10 in 4 minutes." */
  text: string;
  facts: { label: string; value: string }[];
  severity: "medium" | "high" | "critical";
  link: string | null;
}
