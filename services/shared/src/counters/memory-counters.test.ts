import { describe, expect, it } from "vitest";
import { countersContract } from "./counters.contract.ts";
import { createMemoryCounters } from "./memory-counters.ts";

const window = { windowSeconds: 300, threshold: 5 };

describe("in-memory counters", () => {
  countersContract(async () => createMemoryCounters());

  it("stays at its key cap under 200,000 distinct attacker keys, and still catches a brute force within the cap", async () => {
    const maxKeys = 10_000;
    const counters = createMemoryCounters({ maxKeys });
    const flood = 200_000;
    const t0 = 1_700_000_000;
    const attacker = "203.0.113.9";
    let triggered = 0;
    for (let batch = 0; batch < flood; batch += 1_000) {
      const events = Array.from({ length: 1_000 }, (_, i) => ({
        ip: `2001:db8::${(batch + i).toString(16)}`,
        timeSeconds: t0 + (batch + i) / 1_000,
        eventId: `f${batch + i}`,
      }));
      // The attacker's five failures land in the last 5,000 flood keys: fewer distinct keys than the cap.
      if (batch >= flood - 5_000) events.push({ ip: attacker, timeSeconds: t0 + batch / 1_000, eventId: `a${batch}` });
      triggered += (await counters.recordFailures(events, window)).filter((r) => r.triggered).length;
      await counters.recordRequests(
        events.map((e) => ({ key: `endpoint:/${e.eventId}`, timeSeconds: e.timeSeconds })),
        60,
      );
    }
    // The attacker's window emptied when it triggered.
    expect(counters.sizes()).toEqual({ windows: maxKeys - 1, rates: maxKeys });
    expect(triggered).toBe(1);
  });

  it("drops a key once its TTL has passed on the wall clock, as Redis does", async () => {
    let nowMs = 0;
    const counters = createMemoryCounters({ now: () => nowMs });
    await counters.recordFailures([{ ip: "198.51.100.1", timeSeconds: 1_000, eventId: "a" }], window);
    await counters.recordRequests([{ key: "ip:198.51.100.1", timeSeconds: 1_000 }], 60);
    // Failure window 300 s + 60 s; rate key (60 + 2) minutes.
    nowMs = 361_000;
    await counters.recordFailures([{ ip: "198.51.100.2", timeSeconds: 1_000, eventId: "b" }], window);
    nowMs = 62 * 60_000 + 1;
    await counters.recordRequests([{ key: "ip:198.51.100.2", timeSeconds: 1_000 }], 60);
    expect(counters.sizes()).toEqual({ windows: 1, rates: 1 });
  });

  it("forgets an expired window even when its failures are recent in event time", async () => {
    let nowMs = 0;
    const counters = createMemoryCounters({ now: () => nowMs });
    const ip = "198.51.100.3";
    await counters.recordFailures(
      [1, 2, 3, 4].map((t) => ({ ip, timeSeconds: t, eventId: `e${t}` })),
      window,
    );
    nowMs = 361_000;
    const [result] = await counters.recordFailures([{ ip, timeSeconds: 5, eventId: "e5" }], window);
    expect(result).toMatchObject({ count: 1, triggered: false });
  });
});
