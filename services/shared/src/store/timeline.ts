/**
 * The pure core of the stats timeline: how wide a bucket is for a requested range, and the
 * buckets of a closed range with the empty ones kept, so a quiet period shows as zeros rather
 * than vanishing. Buckets start at multiples of their width since the epoch (UTC), as
 * Elasticsearch's fixed-interval date_histogram places them.
 */

const WIDEST_BUCKET_SECONDS = 7 * 86_400;
/** Bucket widths a range may get, narrowest first: 1 min, 5 min, 15 min, 1 h, 6 h, 1 d, 7 d. */
export const TIMELINE_BUCKET_SECONDS = [60, 300, 900, 3600, 6 * 3600, 86_400, WIDEST_BUCKET_SECONDS] as const;

/** A chart of about this many bars stays readable at dashboard widths. */
const TARGET_BUCKETS = 60;

/** The most buckets one timeline may have; a client asking for more gets a 400, not a slow answer. */
export const MAX_TIMELINE_BUCKETS = 2000;

/** The narrowest listed width giving at most TARGET_BUCKETS buckets: 1 h → 1 min, 1 d → 1 h, 7 d → 6 h, 30 d → 1 d. */
export function bucketSecondsFor(rangeSeconds: number): number {
  return TIMELINE_BUCKET_SECONDS.find((width) => rangeSeconds / width <= TARGET_BUCKETS) ?? WIDEST_BUCKET_SECONDS;
}

export function bucketStart(epochSeconds: number, bucketSeconds: number): number {
  return Math.floor(epochSeconds / bucketSeconds) * bucketSeconds;
}

/** How many buckets cover [from, to] (both inclusive). */
export function bucketCount(range: { from: number; to: number; bucketSeconds: number }): number {
  return (
    (bucketStart(range.to, range.bucketSeconds) - bucketStart(range.from, range.bucketSeconds)) / range.bucketSeconds +
    1
  );
}

export interface TimelineBucket {
  /** Bucket start, epoch seconds. */
  t: number;
  count: number;
}

/** Every bucket of [from, to], oldest first, with the counts given and 0 elsewhere; counts outside the range are dropped. */
export function zeroFilledTimeline(
  counts: readonly TimelineBucket[],
  range: { from: number; to: number; bucketSeconds: number },
): TimelineBucket[] {
  const byStart = new Map(counts.map((bucket) => [bucket.t, bucket.count]));
  const first = bucketStart(range.from, range.bucketSeconds);
  return Array.from({ length: Math.max(0, bucketCount(range)) }, (_, i) => {
    const t = first + i * range.bucketSeconds;
    return { t, count: byStart.get(t) ?? 0 };
  });
}
