/**
 * Text as the report's built-in PDF fonts (Helvetica, WinAnsi encoding) can show it. pdfkit writes
 * any other character as unrelated glyphs, so a registrant's name in Cyrillic or Chinese would be
 * printed as noise; it is shown as "?" instead, and accented letters outside WinAnsi lose the accent.
 */

/** WinAnsi's characters beyond Latin-1 (its 0x80–0x9F range). */
const WIN_ANSI_EXTRAS = new Set("€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ");

const encodable = (char: string): boolean => {
  const code = char.codePointAt(0) ?? 0;
  return (code >= 0x20 && code <= 0x7e) || (code >= 0xa0 && code <= 0xff) || WIN_ANSI_EXTRAS.has(char);
};

export function winAnsiText(text: string): string {
  let shown = "";
  for (const char of text.normalize("NFC")) {
    if (encodable(char)) shown += char;
    else if (/\p{Cc}/u.test(char)) shown += " ";
    else {
      // "ł" has no decomposition and stays "?"; "ź" becomes "z".
      const base = char.normalize("NFD").replace(/\p{M}/gu, "");
      shown += base !== "" && [...base].every(encodable) ? base : "?";
    }
  }
  return shown;
}
