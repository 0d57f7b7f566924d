import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { backoffDelay, WorkQueue } from "./work-queue.ts";

describe("WorkQueue", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("hands out a key once however many events named it while it waited", async () => {
    const queue = new WorkQueue();
    queue.add("default/a");
    queue.add("default/b");
    queue.add("default/a");
    expect(queue.length).toBe(2);
    expect(await queue.get()).toBe("default/a");
    expect(await queue.get()).toBe("default/b");
    expect(queue.length).toBe(0);
  });

  it("never gives a key being processed to a second worker, and requeues it if it changed meanwhile", async () => {
    const queue = new WorkQueue();
    queue.add("k");
    const key = await queue.get();
    queue.add("k");
    expect(queue.length).toBe(0);
    const next = queue.get();
    queue.done(key ?? "");
    expect(await next).toBe("k");
  });

  it("wakes a waiting worker when a key arrives", async () => {
    const queue = new WorkQueue();
    const waiting = queue.get();
    queue.add("k");
    expect(await waiting).toBe("k");
  });

  it("backs off exponentially per key and starts over after forget", () => {
    const queue = new WorkQueue({ baseMs: 100, maxMs: 1_000 });
    expect([
      queue.addRateLimited("k"),
      queue.addRateLimited("k"),
      queue.addRateLimited("k"),
      queue.addRateLimited("k"),
      queue.addRateLimited("k"),
    ]).toEqual([100, 200, 400, 800, 1_000]);
    expect(queue.addRateLimited("other")).toBe(100);
    queue.forget("k");
    expect(queue.addRateLimited("k")).toBe(100);
  });

  it("requeues after a delay, keeping the earliest pending time", async () => {
    const queue = new WorkQueue();
    queue.addAfter("k", 5_000);
    queue.addAfter("k", 1_000);
    queue.addAfter("k", 9_000);
    vi.advanceTimersByTime(999);
    expect(queue.length).toBe(0);
    vi.advanceTimersByTime(1);
    expect(queue.length).toBe(1);
    expect(await queue.get()).toBe("k");
    vi.advanceTimersByTime(10_000);
    expect(queue.length).toBe(0);
  });

  it("releases waiting workers with null on shut down", async () => {
    const queue = new WorkQueue();
    const waiting = queue.get();
    queue.shutDown();
    expect(await waiting).toBeNull();
    queue.add("k");
    expect(await queue.get()).toBeNull();
  });

  it.each([
    [0, 100],
    [1, 200],
    [10, 60_000],
    [1_000, 60_000],
  ])("backoff after %i failures is %i ms", (failures, delay) => {
    expect(backoffDelay(failures, { baseMs: 100, maxMs: 60_000 })).toBe(delay);
  });
});
