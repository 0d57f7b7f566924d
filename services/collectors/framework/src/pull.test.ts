import { describe, expect, it } from "vitest";
import { pollUntilStopped } from "./pull.ts";

/** A collector whose round takes `roundMs`, recording when each round started and ended. */
function timedCollector(roundMs: number) {
  const rounds: { started: number; ended?: number }[] = [];
  return {
    rounds,
    async runOnce() {
      const round: { started: number; ended?: number } = { started: Date.now() };
      rounds.push(round);
      await new Promise((resolve) => setTimeout(resolve, roundMs));
      round.ended = Date.now();
      return 0;
    },
  };
}

describe("pollUntilStopped", () => {
  it("ends the wait between rounds as soon as it is stopped, not after the interval", async () => {
    const collector = timedCollector(0);
    const stop = new AbortController();
    const loop = pollUntilStopped(collector, 3_600, stop.signal);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const stoppedAt = Date.now();
    stop.abort();
    await loop;
    expect(Date.now() - stoppedAt).toBeLessThan(500);
    expect(collector.rounds).toHaveLength(1);
  });

  it("lets the round in progress finish before it resolves, and starts no other", async () => {
    const collector = timedCollector(300);
    const stop = new AbortController();
    const loop = pollUntilStopped(collector, 0.01, stop.signal);
    await new Promise((resolve) => setTimeout(resolve, 50));
    stop.abort();
    await loop;
    expect(collector.rounds).toHaveLength(1);
    expect(collector.rounds[0]?.ended).toBeDefined();
  });

  it("keeps polling after a failed round", async () => {
    let calls = 0;
    const stop = new AbortController();
    const failing = {
      async runOnce(): Promise<number> {
        calls++;
        if (calls === 3) stop.abort();
        throw new Error("source down");
      },
    };
    await pollUntilStopped(failing, 0.01, stop.signal);
    expect(calls).toBe(3);
  });
});
