/** Detection settings; parsed from the environment in ../config.ts. */
import { DETECTION_DEFAULTS } from "@soc/shared";

export interface DetectionConfig {
  keywords: string[];
  bruteForce: { threshold: number; windowSeconds: number };
  spike: {
    /** Previous minutes that form the moving baseline. */
    baselineMinutes: number;
    /** A minute needs at least this many requests to be a spike, so 0 → 3 is none. */
    minRequestsPerMinute: number;
    /** How many standard deviations above the mean is a spike. */
    sigma: number;
  };
}

export const DEFAULT_KEYWORDS: string[] = [...DETECTION_DEFAULTS.keywords];
