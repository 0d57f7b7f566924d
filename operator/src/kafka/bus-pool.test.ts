import { describe, expect, it } from "vitest";
import { silentLogger } from "@soc/shared";
import type { KafkaBus } from "@soc/shared/kafka";
import { BusPool } from "./bus-pool.ts";

const topics = { logs: "logs", configUpdates: "config-updates", highPriorityAlerts: "alerts" };
const MINUTE = 60_000;

/** A client that records what the pool does with it; nothing else is called. */
function fakeBus(name: string, log: string[]): KafkaBus {
  return {
    ensureTopics: async () => void log.push(`ensure ${name}`),
    close: async () => void log.push(`close ${name}`),
  } as unknown as KafkaBus;
}

function setup(options: { idleMs?: number; maxClients?: number } = {}) {
  let now = 0;
  const log: string[] = [];
  const pool = new BusPool(silentLogger(), {
    idleMs: options.idleMs ?? 10 * MINUTE,
    maxClients: options.maxClients ?? 64,
    now: () => now,
  });
  const get = (user: string, key: string) => pool.get(user, key, () => fakeBus(key, log), topics);
  const settle = () => new Promise((resolve) => setImmediate(resolve));
  return { pool, log, get, settle, advance: (ms: number) => (now += ms) };
}

describe("Kafka client pool", () => {
  it("shares one client per key and ensures the topics once", async () => {
    const { pool, log, get } = setup();
    const a = await get("ns/a", "k1");
    const b = await get("ns/b", "k1");
    expect(a).toBe(b);
    expect(pool.size).toBe(1);
    expect(log).toEqual(["ensure k1"]);
  });

  it("closes a client unused for the idle time, and makes a new one when asked again", async () => {
    const { pool, log, get, settle, advance } = setup();
    const first = await get("ns/a", "k1");
    await get("ns/b", "k2");
    advance(6 * MINUTE);
    await get("ns/b", "k2");
    advance(5 * MINUTE);
    pool.sweep();
    await settle();
    // k1 was last used 11 minutes ago, k2 5 minutes ago.
    expect(log).toEqual(["ensure k1", "ensure k2", "close k1"]);
    expect(pool.current("ns/a")).toBeNull();
    expect(await get("ns/a", "k1")).not.toBe(first);
    expect(log.at(-1)).toBe("ensure k1");
  });

  it("counts the autoscaler's reads as uses", async () => {
    const { pool, log, get, settle, advance } = setup();
    const bus = await get("ns/a", "k1");
    for (let i = 0; i < 30; i++) {
      advance(MINUTE);
      expect(pool.current("ns/a")).toBe(bus);
    }
    pool.sweep();
    await settle();
    expect(log).toEqual(["ensure k1"]);
  });

  it("closes a client when no pipeline refers to it any more: deleted, or moved to other brokers or credentials", async () => {
    const { pool, log, get, settle } = setup();
    await get("ns/a", "k1");
    await get("ns/b", "k1");
    await get("ns/a", "k2");
    await settle();
    expect(log).toEqual(["ensure k1", "ensure k2"]);
    pool.release("ns/b");
    await settle();
    expect(log).toEqual(["ensure k1", "ensure k2", "close k1"]);
    expect(pool.size).toBe(1);
  });

  it("holds at most maxClients, closing the least recently used to make room", async () => {
    const { pool, log, get, settle, advance } = setup({ maxClients: 2 });
    await get("ns/a", "k1");
    advance(1);
    await get("ns/b", "k2");
    advance(1);
    await get("ns/a", "k1");
    advance(1);
    await get("ns/c", "k3");
    await settle();
    expect(pool.size).toBe(2);
    expect(log).toEqual(["ensure k1", "ensure k2", "ensure k3", "close k2"]);
  });

  it("tells listeners before a client closes, and closes everything on shutdown", async () => {
    const { pool, log, get } = setup();
    pool.onEvict(async () => void log.push("listener"));
    await get("ns/a", "k1");
    await get("ns/b", "k2");
    await pool.close();
    expect(log).toEqual(["ensure k1", "ensure k2", "listener", "listener", "close k1", "close k2"]);
    expect(pool.size).toBe(0);
  });

  it("forgets a failed topic check so the next call tries again", async () => {
    const { pool } = setup();
    let attempts = 0;
    const bus = {
      ensureTopics: async () => (++attempts === 1 ? Promise.reject(new Error("down")) : undefined),
      close: async () => undefined,
    } as unknown as KafkaBus;
    await expect(pool.get("ns/a", "k1", () => bus, topics)).rejects.toThrow("down");
    await expect(pool.get("ns/a", "k1", () => bus, topics)).resolves.toBe(bus);
    expect(attempts).toBe(2);
  });
});
