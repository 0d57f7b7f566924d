/** Whole-word, case-insensitive keyword matching (ANOMALY_KEYWORDS and KEYWORD_RULES), compiled once. */
import type { AnomalySeverity } from "@soc/shared";
import { keywordSeverity, type KeywordRule, type LineOrigin } from "./keyword-rules.ts";

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

export interface KeywordHit {
  keyword: string;
  severity: AnomalySeverity;
}

export type KeywordMatcher = (message: string, originOf?: () => LineOrigin) => KeywordHit | null;

/** The first keyword of the line that counts where the line comes from; a scoped-out one does not hide a later one. */
export function keywordMatcher(keywords: string[], rules: readonly KeywordRule[] = []): KeywordMatcher {
  const all = [...new Set([...keywords.map((k) => k.toLowerCase()), ...rules.map((rule) => rule.keyword)])];
  if (all.length === 0) return () => null;
  const pattern = new RegExp(`\\b(?:${all.map(escape).join("|")})\\b`, "gi");
  return (message, originOf = () => ({})) => {
    for (const match of message.matchAll(pattern)) {
      const keyword = match[0].toLowerCase();
      const severity = keywordSeverity(keyword, rules, originOf);
      if (severity !== null) return { keyword, severity };
    }
    return null;
  };
}
