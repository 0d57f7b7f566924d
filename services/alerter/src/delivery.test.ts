import { describe, expect, it } from "vitest";
import type { AttemptOutcome, Channel } from "./channels/channel.ts";
import { abortableSleep, backoffMs, deliver, retryWaitMs } from "./delivery.ts";
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
const policy = { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 1_000, maxRetryAfterMs: 5_000 };

async function run(channel: Channel) {
  const waits: number[] = [];
  const result = await deliver(channel, notification, policy, {
    sleep: async (ms) => void waits.push(ms),
    random: () => 1,
    signal: new AbortController().signal,
  });
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

  it.each([
    ["an hour", 3_600_000, 5_000],
    ["Discord's retry_after of 1e999 (Infinity once parsed)", Infinity, 5_000],
    ["a negative wait", -1_000, 0],
    ["a garbled one (NaN): backoff instead", NaN, 100],
  ])("caps a Retry-After of %s at the policy's ceiling", (_name, afterMs, waitMs) => {
    expect(retryWaitMs(afterMs, 1, policy, () => 1)).toBe(waitMs);
  });

  it("waits at most the ceiling when a 429 asks for an hour", async () => {
    const { result, waits } = await run(scripted({ kind: "retry", cause: "throttled", afterMs: 3_600_000 }));
    expect(result).toEqual({ kind: "delivered", attempts: 2 });
    expect(waits).toEqual([5_000]);
  });

  it("leaves a wait at once on shutdown, settling nothing, and starts no further attempt", async () => {
    const shutdown = new AbortController();
    const channel = scripted({ kind: "retry", cause: "throttled", afterMs: 3_600_000 });
    const started = Date.now();
    const pending = deliver(
      channel,
      notification,
      { ...policy, maxRetryAfterMs: 3_600_000 },
      { sleep: abortableSleep, random: () => 1, signal: shutdown.signal },
    );
    setTimeout(() => shutdown.abort(), 50);
    expect(await pending).toEqual({ kind: "interrupted", attempts: 1 });
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(channel.attempts).toBe(1);
  });
});
