/** The behaviour every Counters adapter must have; run against memory and real Redis. */
import { afterAll, expect, it } from "vitest";
import { uniqueName } from "../testing/infra.ts";
import type { Counters } from "./counters.ts";

export function countersContract(makeCounters: () => Promise<Counters>): void {
  let counters: Counters | undefined;
  const ready = async (): Promise<Counters> => (counters ??= await makeCounters());
  afterAll(async () => {
    await counters?.close();
  });
  const window = { windowSeconds: 300, threshold: 5 };

  it("triggers on the fifth failure inside the window and then starts afresh", async () => {
    const c = await ready();
    const ip = `198.51.100.${Math.floor(Math.random() * 250)}-${uniqueName("t")}`;
    const events = [0, 10, 20, 30, 40, 50].map((offset, i) => ({
      ip,
      timeSeconds: 1_000_000 + offset,
      eventId: `e${i}`,
    }));
    const results = await c.recordFailures(events, window);
    expect(results.map((r) => [r.count, r.triggered])).toEqual([
      [1, false],
      [2, false],
      [3, false],
      [4, false],
      [5, true],
      [1, false],
    ]);
    expect(results[4]).toMatchObject({ firstSeen: 1_000_000, lastSeen: 1_000_040 });
  });

  it("forgets failures older than the window, in event time", async () => {
    const c = await ready();
    const ip = uniqueName("ip");
    const results = await c.recordFailures(
      [0, 100, 200, 300, 400.5].map((offset, i) => ({ ip, timeSeconds: 2_000_000 + offset, eventId: `e${i}` })),
      window,
    );
    // At 300 the failure at 0 is exactly one window old and drops out.
    expect(results.map((r) => r.count)).toEqual([1, 2, 3, 3, 3]);
    expect(results[4]).toMatchObject({ firstSeen: 2_000_200, lastSeen: 2_000_400.5, triggered: false });
  });

  it("counts a redelivered event once", async () => {
    const c = await ready();
    const ip = uniqueName("ip");
    const event = { ip, timeSeconds: 3_000_000, eventId: "same" };
    const results = await c.recordFailures([event, event, event], window);
    expect(results.map((r) => r.count)).toEqual([1, 1, 1]);
  });

  it("reports each minute's request count against the previous minutes' baseline", async () => {
    const c = await ready();
    const key = uniqueName("ip");
    const base = 60 * 1_000_000;
    // Minute 0: 2 requests, minute 1: 4, minute 2: none, minute 3: 3 requests.
    const times = [0, 1, 60, 61, 62, 63, 180, 181, 182].map((offset) => ({ key, timeSeconds: base + offset }));
    const results = await c.recordRequests(times, 60);
    expect(results.map((r) => r.count)).toEqual([1, 2, 1, 2, 3, 4, 1, 2, 3]);
    expect(results[0]).toMatchObject({ mean: 0, stddev: 0, minutes: 0 });
    expect(results[2]).toMatchObject({ mean: 2, stddev: 0, minutes: 1 });
    const third = results[8];
    expect(third?.minutes).toBe(3);
    expect(third?.mean).toBeCloseTo(2, 10);
    expect(third?.stddev).toBeCloseTo(Math.sqrt(8 / 3), 10);
  });

  it("keeps only the configured number of minutes in the baseline", async () => {
    const c = await ready();
    const key = uniqueName("ip");
    const base = 60 * 2_000_000;
    const results = await c.recordRequests(
      [0, 60, 120, 180].map((offset) => ({ key, timeSeconds: base + offset })),
      2,
    );
    expect(results.map((r) => r.minutes)).toEqual([0, 1, 2, 2]);
  });

  it("answers for huge event times, where m + 1 === m (a minute loop never ended there)", async () => {
    const c = await ready();
    const key = uniqueName("ip");
    // Valid timestamps (finite, non-negative); around minute 4e17 doubles are 64 apart.
    const results = await c.recordRequests(
      [
        { key, timeSeconds: 2.4e19 },
        { key, timeSeconds: 2.4e19 + 60 * 6400 },
      ],
      60,
    );
    expect(results).toHaveLength(2);
    for (const result of results) expect(result.minutes).toBeLessThanOrEqual(60);
  });

  it("keeps a key's out-of-order later minutes while they are few", async () => {
    const c = await ready();
    const key = uniqueName("ip");
    const base = 60 * 3_000_000;
    // Minute 5 arrives before minutes 1 to 4; its count must still be there when minute 5 resumes.
    const results = await c.recordRequests(
      [300, 60, 120, 180, 240, 301].map((offset) => ({ key, timeSeconds: base + offset })),
      60,
    );
    expect(results.map((r) => r.count)).toEqual([1, 1, 1, 1, 1, 2]);
  });
}
