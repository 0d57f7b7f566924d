/** Detection settings; parsed from the environment in ../config.ts. */
import { DETECTION_DEFAULTS } from "@soc/shared";
import type { KeywordRule } from "./keyword-rules.ts";

export interface DetectionConfig {
  keywords: string[];
  /** Where keywords count and how much (KEYWORD_RULES); none: every keyword everywhere, as medium. */
  keywordRules?: KeywordRule[];
  bruteForce: { threshold: number; windowSeconds: number };
  spike: {
    /** Previous minutes that form the moving baseline. */
    baselineMinutes: number;
    /** A minute needs at least this many requests to be a spike, so 0 → 3 is none. */
    minRequestsPerMinute: number;
    /** How many standard deviations above the mean is a spike. */
    sigma: number;
  };
  /** The rules learned from mined log templates; PATTERN_DEFAULTS when absent. */
  patterns?: PatternSettings;
}

export interface PatternSettings {
  /** A source's first lines and minutes only teach: no template is new before both have passed. */
  warmupLines: number;
  warmupMinutes: number;
  /** Lines of one template in a minute before a burst counts; the spike rule's sigma applies. */
  rateMinPerMinute: number;
  /** Lines of a template after which its keyword hits are informational, unless an analyst escalated one. */
  familiarAfterLines: number;
}

export const PATTERN_DEFAULTS: PatternSettings = {
  warmupLines: 1_000,
  warmupMinutes: 60,
  rateMinPerMinute: 20,
  familiarAfterLines: 1_000,
};

export const patternSettingsOf = (config: DetectionConfig): PatternSettings => config.patterns ?? PATTERN_DEFAULTS;

export const DEFAULT_KEYWORDS: string[] = [...DETECTION_DEFAULTS.keywords];
