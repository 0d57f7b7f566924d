/** Whole-word, case-insensitive keyword matching (ANOMALY_KEYWORDS), compiled once. */
const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

export type KeywordMatcher = (message: string) => string | null;

export function keywordMatcher(keywords: string[]): KeywordMatcher {
  if (keywords.length === 0) return () => null;
  const pattern = new RegExp(`\\b(?:${keywords.map(escape).join("|")})\\b`, "i");
  return (message) => pattern.exec(message)?.[0].toLowerCase() ?? null;
}
