import { ApiException } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { KubeApiError } from "./client.ts";
import { retryDelay, withRetry, withRetrySync, type RetryPolicy } from "./retry.ts";

const policy: RetryPolicy = { initialDelayMs: 100, maxDelayMs: 1_000, deadlineMs: 5_000, maxRetryAfterMs: 2_000 };
const initializing = (): KubeApiError =>
  new KubeApiError(
    503,
    "ServiceUnavailable",
    "GET /apis/socpipeline.io/v1alpha1/ipwhitelists: storage is (re)initializing",
  );
const throttled = (seconds: number): ApiException<string> =>
  new ApiException(
    429,
    "Unknown API Status Code!",
    JSON.stringify({
      kind: "Status",
      status: "Failure",
      message: "storage is (re)initializing",
      reason: "TooManyRequests",
      details: { retryAfterSeconds: seconds },
      code: 429,
    }),
    { "retry-after": String(seconds) },
  );
const conflict = (): KubeApiError =>
  new KubeApiError(
    409,
    "Conflict",
    "PUT …: the object has been modified; please apply your changes to the latest version and try again",
  );

/** A clock that only sleeping moves, and the waits it was asked for. */
function fakeTime(random = 1) {
  const clock = { now: 0, waits: [] as number[] };
  const wait = (ms: number): void => {
    clock.waits.push(ms);
    clock.now += ms;
  };
  const hooks = { now: () => clock.now, random: () => random, sleep: async (ms: number) => wait(ms), sleepSync: wait };
  return { clock, hooks };
}

/** Fails with each of `failures` in turn, then answers "ok". */
function failing(...failures: unknown[]) {
  const state = { calls: 0 };
  const call = (): string => {
    const failure = failures[state.calls];
    state.calls += 1;
    if (failure !== undefined) throw failure;
    return "ok";
  };
  return { state, call, callAsync: async () => call() };
}

describe("withRetry", () => {
  it("retries a transient failure N times, backing off exponentially, then returns the answer", async () => {
    const { clock, hooks } = fakeTime();
    const { state, callAsync } = failing(initializing(), initializing(), initializing());
    await expect(withRetry(callAsync, policy, hooks)).resolves.toBe("ok");
    expect(state.calls).toBe(4);
    expect(clock.waits).toEqual([100, 200, 400]);
  });

  it("fails at once, unchanged, on an answer about the request itself", async () => {
    const { clock, hooks } = fakeTime();
    const error = conflict();
    const { state, callAsync } = failing(error);
    await expect(withRetry(callAsync, policy, hooks)).rejects.toBe(error);
    expect(state.calls).toBe(1);
    expect(clock.waits).toEqual([]);
  });

  it("stops at the deadline and throws the last failure", async () => {
    const { clock, hooks } = fakeTime();
    const errors = Array.from({ length: 50 }, initializing);
    const { state, callAsync } = failing(...errors);
    const thrown: unknown = await withRetry(callAsync, policy, hooks).catch((error: unknown) => error);
    expect(thrown).toBe(errors[state.calls - 1]);
    // 100 + 200 + 400 + 800 + 3 × 1000 = 4500; one more second would pass 5000.
    expect(clock.waits).toEqual([100, 200, 400, 800, 1_000, 1_000, 1_000]);
    expect(clock.now).toBeLessThanOrEqual(policy.deadlineMs);
    expect(state.calls).toBe(8);
  });

  it("waits as long as Retry-After asks when that is longer than the backoff", async () => {
    const { clock, hooks } = fakeTime();
    const { callAsync } = failing(throttled(1));
    await expect(withRetry(callAsync, policy, hooks)).resolves.toBe("ok");
    expect(clock.waits).toEqual([1_000]);
  });

  it("caps a long Retry-After", async () => {
    const { clock, hooks } = fakeTime();
    const { callAsync } = failing(throttled(30), throttled(3_600));
    await expect(withRetry(callAsync, policy, hooks)).resolves.toBe("ok");
    expect(clock.waits).toEqual([2_000, 2_000]);
  });

  it("gives up rather than wait past the deadline for a Retry-After", async () => {
    const { clock, hooks } = fakeTime();
    const error = throttled(2);
    const { state, callAsync } = failing(error);
    await expect(withRetry(callAsync, { ...policy, deadlineMs: 1_500 }, hooks)).rejects.toBe(error);
    expect(state.calls).toBe(1);
    expect(clock.waits).toEqual([]);
  });

  it("counts the time the attempts themselves took against the deadline", async () => {
    const { clock, hooks } = fakeTime();
    const error = initializing();
    const slow = async (): Promise<string> => {
      clock.now += 4_950;
      throw error;
    };
    await expect(withRetry(slow, policy, hooks)).rejects.toBe(error);
    expect(clock.waits).toEqual([]);
  });

  it("repeats whatever a caller's own predicate accepts", async () => {
    const { clock, hooks } = fakeTime();
    const notFound = new KubeApiError(404, "NotFound", "GET …: the server could not find the requested resource");
    const { callAsync } = failing(notFound);
    await expect(withRetry(callAsync, policy, { ...hooks, retryable: (error) => error === notFound })).resolves.toBe(
      "ok",
    );
    expect(clock.waits).toEqual([100]);
  });

  it("reports each retry", async () => {
    const { hooks } = fakeTime();
    const error = initializing();
    const seen: unknown[] = [];
    const { callAsync } = failing(error);
    await withRetry(callAsync, policy, { ...hooks, onRetry: (...args) => seen.push(args) });
    expect(seen).toEqual([[error, 100, 1]]);
  });
});

describe("withRetrySync", () => {
  it("runs the same schedule for synchronous calls", () => {
    const { clock, hooks } = fakeTime();
    const { state, call } = failing(initializing(), throttled(1));
    expect(withRetrySync(call, policy, hooks)).toBe("ok");
    expect(state.calls).toBe(3);
    expect(clock.waits).toEqual([100, 1_000]);
  });

  it("fails at once on a non-transient failure", () => {
    const { clock, hooks } = fakeTime();
    const error = conflict();
    const { call } = failing(error);
    expect(() => withRetrySync(call, policy, hooks)).toThrow(error);
    expect(clock.waits).toEqual([]);
  });

  it("really sleeps when given no clock", () => {
    const { call } = failing(initializing());
    const started = performance.now();
    expect(withRetrySync(call, { ...policy, initialDelayMs: 40 })).toBe("ok");
    expect(performance.now() - started).toBeGreaterThanOrEqual(19);
  });
});

describe("retryDelay", () => {
  it("draws jitter in the upper half of the exponential bound, capped", () => {
    expect(retryDelay(initializing(), 1, 0, policy, () => 0)).toBe(50);
    expect(retryDelay(initializing(), 3, 0, policy, () => 0.5)).toBe(300);
    expect(retryDelay(initializing(), 40, 0, policy, () => 0)).toBe(500);
    expect(retryDelay(initializing(), 40, 0, policy, () => 0.999)).toBe(1_000);
  });

  it("is null for a non-transient failure or past the deadline", () => {
    expect(retryDelay(conflict(), 1, 0, policy, () => 1)).toBeNull();
    expect(retryDelay(initializing(), 1, 4_950, policy, () => 1)).toBeNull();
  });
});
