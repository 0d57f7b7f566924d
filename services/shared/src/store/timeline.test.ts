import { describe, expect, it } from "vitest";
import { bucketCount, bucketSecondsFor, MAX_TIMELINE_BUCKETS, zeroFilledTimeline } from "./timeline.ts";

const HOUR = 3600;
const DAY = 86_400;

describe("bucketSecondsFor", () => {
  it.each([
    [5 * 60, 60],
    [HOUR, 60],
    [6 * HOUR, 15 * 60],
    [DAY, HOUR],
    [7 * DAY, 6 * HOUR],
    [30 * DAY, DAY],
    [365 * DAY, 7 * DAY],
  ])("gives a range of %i s buckets of %i s", (range, bucket) => {
    expect(bucketSecondsFor(range)).toBe(bucket);
  });

  it("keeps even ten years under the bucket limit", () => {
    const range = { from: 0, to: 3650 * DAY };
    expect(bucketCount({ ...range, bucketSeconds: bucketSecondsFor(range.to - range.from) })).toBeLessThanOrEqual(
      MAX_TIMELINE_BUCKETS,
    );
  });
});

describe("zeroFilledTimeline", () => {
  const range = { from: 10 * HOUR + 1800, to: 14 * HOUR + 5, bucketSeconds: HOUR };

  it("has every bucket of the range, oldest first, with zeros where nothing happened", () => {
    expect(
      zeroFilledTimeline(
        [
          { t: 11 * HOUR, count: 4 },
          { t: 13 * HOUR, count: 1 },
        ],
        range,
      ),
    ).toEqual([
      { t: 10 * HOUR, count: 0 },
      { t: 11 * HOUR, count: 4 },
      { t: 12 * HOUR, count: 0 },
      { t: 13 * HOUR, count: 1 },
      { t: 14 * HOUR, count: 0 },
    ]);
  });

  it("drops counts outside the range", () => {
    expect(zeroFilledTimeline([{ t: 2 * HOUR, count: 9 }], { from: 0, to: HOUR - 1, bucketSeconds: HOUR })).toEqual([
      { t: 0, count: 0 },
    ]);
  });

  it("is empty for a range that ends before it starts", () => {
    expect(zeroFilledTimeline([], { from: 5 * HOUR, to: 2 * HOUR, bucketSeconds: HOUR })).toEqual([]);
  });
});
