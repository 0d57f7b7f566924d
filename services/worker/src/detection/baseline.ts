/**
 * The moving-baseline test shared by every rate rule (requests per source and endpoint, lines per
 * log template): a minute's count is unusual above mean + σ·stddev of the previous minutes, and
 * only from a floor up, so 0 → 3 is no burst. The counters keep the minutes (RateResult).
 */
import type { RateResult } from "@soc/shared";

export interface BaselineThreshold {
  /** A minute needs at least this many events to be unusual. */
  minPerMinute: number;
  /** Standard deviations above the mean. */
  sigma: number;
}

export function isAboveBaseline(count: number, rate: RateResult, threshold: BaselineThreshold): boolean {
  return count >= threshold.minPerMinute && count > rate.mean + threshold.sigma * rate.stddev;
}

/** True once per key and minute: for the event that crosses the threshold. */
export function crossesThreshold(rate: RateResult, threshold: BaselineThreshold): boolean {
  return isAboveBaseline(rate.count, rate, threshold) && !isAboveBaseline(rate.count - 1, rate, threshold);
}

/** `baseline 0.4 ± 0.9`, as reasons write it. */
export const describeBaseline = (rate: RateResult): string =>
  `baseline ${rate.mean.toFixed(1)} ± ${rate.stddev.toFixed(1)}`;
