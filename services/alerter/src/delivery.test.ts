import { describe, expect, it } from "vitest";
import type { AttemptOutcome, Channel } from "./channels/channel.ts";
import { backoffMs, deliver } from "./delivery.ts";
import type { Notification } from "./notification.ts";

const notification: Notification = { id: "n1", title: "t", text: "x", facts: [], severity: "high", link: null };
const scripted = (...outcomes: AttemptOutcome[]): Channel & { attempts: number } => {
  const channel = {
    id: "test#1",
    kind: "slack" as const,
    attempts: 0,
    async send() {
      channel.attempts += 1;
      return outcomes.shift() ?? { kind: "delivered" as const };
    },
  };
  return channel;
};
const policy = { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 1_000 };

async function run(channel: Channel) {
  const waits: number[] = [];
  const result = await deliver(channel, notification, policy, { sleep: async (ms) => void waits.push(ms), random: () => 1 });
  return { result, waits };
}

describe("the delivery loop", () => {
  it("waits exactly as long as a 429 asks, then delivers", async () => {
    const { result, waits } = await run(scripted({ kind: "retry", cause: "throttled", afterMs: 1_500 }));
    expect(result).toEqual({ kind: "delivered", attempts: 2 });
    expect(waits).toEqual([1_500]);
  });

  it("backs off exponentially on server errors", async () => {
    const error = { kind: "retry", cause: "server_error", afterMs: null } as const;
    const { result, waits } = await run(scripted(error, error, error));
    expect(result).toEqual({ kind: "delivered", attempts: 4 });
    expect(waits).toEqual([100, 200, 400]);
  });

  it("gives up after the last attempt", async () => {
    const error = { kind: "retry", cause: "network", afterMs: null } as const;
    const { result } = await run(scripted(error, error, error, error, error));
    expect(result).toMatchObject({ kind: "given-up", reason: "retries_exhausted", attempts: 4 });
  });

  it("never retries a rejected request", async () => {
    const channel = scripted({ kind: "give-up", reason: "rejected", detail: "HTTP 400 invalid_payload" });
    const { result, waits } = await run(channel);
    expect(result).toMatchObject({ kind: "given-up", reason: "rejected", attempts: 1 });
    expect(waits).toEqual([]);
  });

  it("draws jitter below the exponential bound, capped", () => {
    expect(backoffMs(1, policy, () => 0.5)).toBe(50);
    expect(backoffMs(10, policy, () => 0.999)).toBe(999);
  });
});
