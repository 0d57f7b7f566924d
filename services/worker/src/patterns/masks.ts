/**
 * Built-in masks: values that are variables in any log (addresses, numbers, ids, paths, times) are
 * replaced by a typed placeholder before mining, so no data set needs its own regexes. One combined
 * regular expression, tried left to right in the order of MASKS, so a UUID is not read as numbers
 * and a host:port is not read as a time.
 */

export interface Mask {
  /** Placeholder written in place of the value, e.g. `<IP>`. */
  placeholder: string;
  /** Pattern source (no flags; the combined expression is case-insensitive where noted in the pattern itself). */
  pattern: string;
}

// A value starts and ends at a boundary that is not part of a longer word or number.
const START = String.raw`(?<![\w.\-])`;
const END = String.raw`(?![\w/\\@]|[.:\-]\w)`;

const HEX4 = "[0-9a-fA-F]{1,4}";
const IPV4 = String.raw`(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}`;
const IPV6 = `(?:(?:${HEX4}:){7}${HEX4}|(?:${HEX4}:){1,6}:(?:${HEX4}(?::${HEX4}){0,5})?|::(?:ffff:${IPV4}|${HEX4}(?::${HEX4}){0,6}))`;
// Generic and two-letter country top-level domains; `com.android.server` or `Foo.java` are not host names.
const GTLD = "com|net|org|edu|gov|mil|int|io|info|biz|cloud|local|internal|lan|corp|dev|app";
const LABEL = "[a-zA-Z0-9][a-zA-Z0-9-]{0,62}";
// Java and Android names read like reversed host names (`com.android.server.wm`): a host never starts with a top-level domain.
const NOT_REVERSED = "(?!(?:com|org|net|java|javax|android)\\.)";
const HOSTNAME = `${NOT_REVERSED}(?:(?:${LABEL}\\.)+(?:${GTLD})|(?:${LABEL}\\.){2,}[a-zA-Z]{2})`;
const PORT = String.raw`\d{1,5}`;
const NUMBER = String.raw`[-+]?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?`;

/** In priority order: the first alternative that matches at a position wins. */
export const MASKS: readonly Mask[] = [
  { placeholder: "<URL>", pattern: String.raw`[a-zA-Z][a-zA-Z0-9+.\-]{0,31}://[^\s"'<>\])]+` },
  { placeholder: "<UUID>", pattern: "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}" },
  { placeholder: "<IP>:<NUM>", pattern: `(?:${IPV4}|\\[${IPV6}\\]):${PORT}` },
  // Before a port any dotted lower-case name is a host (`csdnimg.cn:80`); alone it needs a known top-level domain.
  {
    placeholder: "<HOST>:<NUM>",
    pattern: `${NOT_REVERSED}(?:${LABEL}\\.)+(?:[a-z]{2,6}|[A-Z]{2,6}):${PORT}|localhost:${PORT}`,
  },
  { placeholder: "<MAC>", pattern: "[0-9a-fA-F]{2}(?::[0-9a-fA-F]{2}){5}" },
  { placeholder: "<IP>", pattern: IPV4 },
  {
    placeholder: "<TIMESTAMP>",
    pattern: String.raw`\d{4}[-/]\d{1,2}[-/]\d{1,2}(?:[T :]\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?`,
  },
  { placeholder: "<TIME>", pattern: String.raw`\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d+)?` },
  { placeholder: "<IP>", pattern: IPV6 },
  { placeholder: "<HOST>", pattern: HOSTNAME },
  {
    placeholder: "<PATH>",
    pattern: String.raw`(?:[a-zA-Z]:\\|\\\\)[^\s,;'"\]]*|(?:/[\w.@%+~\-]*){2,}(?:\?[^\s"'<>]*)?|/[\w.@%+~\-]+|\.\.?/[\w.@%+~\-/]*`,
  },
  { placeholder: "<HASH>", pattern: "[0-9a-f]{64}|[0-9a-f]{40}|[0-9a-f]{32}|[0-9A-F]{64}|[0-9A-F]{40}|[0-9A-F]{32}" },
  // Six hex digits with a digit and a letter, or eight and more (`ffffffff`); one case throughout.
  {
    placeholder: "<HEX>",
    pattern:
      "0[xX][0-9a-fA-F]+|(?=[a-f]*\\d)(?=\\d*[a-f])[0-9a-f]{6,}|(?=[A-F]*\\d)(?=\\d*[A-F])[0-9A-F]{6,}|[0-9a-f]{8,}|[0-9A-F]{8,}",
  },
  {
    placeholder: "<DURATION>",
    pattern: `<?${NUMBER} ?(?:ns|us|µs|ms|msec|s|sec|secs|seconds?|mins?|minutes?|h|hrs?|hours?|days?)`,
  },
  { placeholder: "<SIZE>", pattern: `${NUMBER} ?(?:[KMGTP]i?B|B)` },
  { placeholder: "<NUM>", pattern: NUMBER },
];

// The boundary before a value is checked once per position, not once per mask, and a word that
// holds no digit, dot, colon or slash (most of a log) is passed over after one look.
// Bounded (a DNS label is at most 63 characters) so a long run of punctuation stays linear.
const MAY_HOLD_VALUE = String.raw`(?=\S{0,64}[\d./\\:]|[a-fA-F]{8})`;
export const COMBINED = new RegExp(
  `${START}${MAY_HOLD_VALUE}(?:${MASKS.map((mask) => `(${mask.pattern})${END}`).join("|")})`,
  "g",
);

/** Replaces every masked value of `content` with its placeholder. */
export function maskVariables(content: string): string {
  COMBINED.lastIndex = 0;
  let masked = "";
  let copied = 0;
  for (let match = COMBINED.exec(content); match !== null; match = COMBINED.exec(content)) {
    let group = 1;
    while (match[group] === undefined) group++;
    masked += content.slice(copied, match.index) + (MASKS[group - 1] as Mask).placeholder;
    copied = match.index + match[0].length;
  }
  return copied === 0 ? content : masked + content.slice(copied);
}

const PLACEHOLDER = /<[A-Z]+>/;
/** True when the token holds a placeholder written by maskVariables. */
export const hasPlaceholder = (token: string): boolean => PLACEHOLDER.test(token);
