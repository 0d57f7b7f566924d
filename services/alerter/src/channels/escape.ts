/**
 * Turns a notification's plain text into each channel's markup. Every string of a notification may
 * carry attacker text (URL paths, GitHub file paths, repository names), so channels pass all of it
 * through here: nothing is markup until escaped, and only links the alerter checked become links.
 */

/** Line breaks, other control characters and bidi overrides: they fake lines or reorder a path. */
const UNPRINTABLE = /[\p{Cc}\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/gu;

/** One line of inert text: an injected "\n" cannot start a fake line, quote or list item. */
export const plainLine = (text: string): string => text.replace(UNPRINTABLE, " ");

const SLACK_ENTITIES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;" };

/**
 * Slack mrkdwn: `&`, `<` and `>` are its only control characters (mentions, links and dates all sit
 * inside `<…>`), and Slack documents these three entities as the escape.
 */
export const escapeSlack = (text: string): string => plainLine(text).replace(/[&<>]/g, (c) => SLACK_ENTITIES[c] ?? c);

/**
 * Discord markdown: a backslash makes any of these literal. Brackets and parentheses (masked links),
 * `<` (mentions, `<https://…>`), `:` (bare `https://` auto-links), emphasis, code, spoilers, quotes,
 * headings and lists; the backslash itself first, so text cannot cancel an escape.
 */
export const escapeDiscord = (text: string): string => plainLine(text).replace(/[\\*_~`|<>#\-[\]():@]/g, "\\$&");

export const escapeHtml = (text: string): string => plainLine(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** At most `max` UTF-16 units, ending in "…" when cut; never splits a surrogate pair. */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max - 1);
  return `${/[\ud800-\udbff]$/.test(cut) ? cut.slice(0, -1) : cut}…`;
}

/** Escapes, then cuts to a service's length limit without ever cutting an escape sequence in half. */
export function escapeWithin(text: string, max: number, escape: (text: string) => string): string {
  const escaped = escape(text);
  if (escaped.length <= max) return escaped;
  let kept = "";
  for (const char of text) {
    const piece = escape(char);
    if (kept.length + piece.length > max - 1) break;
    kept += piece;
  }
  return `${kept}…`;
}
