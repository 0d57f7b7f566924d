/**
 * The generic rule: a long token assigned to a secret-sounding name whose Shannon entropy is near
 * the most its character set allows. Hex carries at most 4 bits a character, base64 6, so one
 * threshold for both would miss hex secrets or flag base64 prose.
 */
export function shannonEntropy(text: string): number {
  const counts = new Map<string, number>();
  for (const c of text) counts.set(c, (counts.get(c) ?? 0) + 1);
  let entropy = 0;
  for (const count of counts.values()) {
    const p = count / text.length;
    entropy -= p * Math.log2(p);
  }
  return entropy;
}

const HEX = /^[0-9a-f]+$/i;
const BASE64ISH = /^[A-Za-z0-9+/=_-]+$/;

/** Entropy a random string of this charset and length reaches on average, less a margin. */
export function entropyThreshold(token: string): number | null {
  const charsetBits = HEX.test(token) ? 4 : BASE64ISH.test(token) ? 6 : null;
  if (charsetBits === null) return null;
  // A random string of n symbols cannot show more than log2(n) bits per character.
  return Math.min(charsetBits, Math.log2(token.length)) * 0.82;
}

// The name is the whole run of name characters before `=` (the lookbehind), at most 64 of them
// before the keyword and 40 after: with `\b` and `*`, every position inside a long run such as
// `token.token.…` started a match that rescanned it (6 KB took 8 s, 24 KB ten minutes).
const ASSIGNMENT =
  /(?<![A-Za-z0-9_.-])([A-Za-z0-9_.-]{0,64}(?:secret|token|passw(?:or)?d|api_?key|apikey|private_?key|auth|credential)[A-Za-z0-9_.-]{0,40})["']?\s{0,16}[:=]\s{0,16}["']([^"'\s]{20,120})["']/gi;

/** Candidates in text order, lazily, so a caller that hits its limits stops the scan there. */
export function* findHighEntropySecrets(text: string): Generator<{ name: string; value: string; index: number }> {
  for (const match of text.matchAll(ASSIGNMENT)) {
    const value = match[2] ?? "";
    const threshold = entropyThreshold(value);
    if (threshold !== null && shannonEntropy(value) >= threshold)
      yield { name: match[1] ?? "", value, index: (match.index ?? 0) + match[0].lastIndexOf(value) };
  }
}
