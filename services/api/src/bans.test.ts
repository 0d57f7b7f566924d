// Bans over HTTP: analysts under /bans, enforcers through CrowdSec's bouncer API with a bouncer key.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { silentLogger, TOPICS, whitelistUpdateMessage, type HighPriorityAlert } from "@soc/shared";
import { createRegistry } from "@soc/shared/telemetry";
import { eventually } from "@soc/shared/testing";
import { keyAccess } from "./auth.ts";
import { startAutoBan } from "./decisions/auto-ban-consumer.ts";
import { autoBanRulesSetting } from "./decisions/auto-ban.ts";
import { createMemoryDecisionStore } from "./decisions/memory-store.ts";
import { startTestApi, TEST_KEYS, type TestApi } from "./testing.ts";

interface LapiStream {
  new: { id: number; value: string; origin: string; scope: string; type: string; duration: string; scenario: string }[];
  deleted: { id: number; value: string }[];
}

describe("bans over HTTP", () => {
  let api: TestApi;
  let nowMs = Date.parse("2030-01-01T00:00:00Z");
  beforeEach(async () => {
    nowMs = Date.parse("2030-01-01T00:00:00Z");
    api = await startTestApi({ now: () => nowMs });
  });
  afterEach(async () => {
    await api.close();
  });

  const ban = (body: Record<string, unknown>, key: keyof typeof TEST_KEYS = "admin") =>
    api.request("/bans", { method: "POST", body: JSON.stringify(body), key });
  /** As a CrowdSec bouncer calls: the key in X-Api-Key. */
  const pull = async (path: string, key = TEST_KEYS.bouncer): Promise<{ status: number; body: unknown }> => {
    const response = await api.request(path, { key: null, headers: { "X-Api-Key": key } });
    return { status: response.status, body: await response.json() };
  };
  const stream = async (query = ""): Promise<LapiStream> => {
    const { status, body } = await pull(`/v1/decisions/stream${query}`);
    expect(status).toBe(200);
    return body as LapiStream;
  };

  it("lets a bouncer key pull bans and nothing else; a read key cannot pull them", async () => {
    for (const [method, path] of [
      ["GET", "/alerts"],
      ["GET", "/bans"],
      ["GET", "/whitelist"],
      ["GET", "/metrics"],
      ["POST", "/logs"],
      ["POST", "/bans"],
      ["DELETE", "/bans/203.0.113.7"],
    ] as const) {
      const response = await api.request(path, {
        method,
        key: "bouncer",
        ...(method === "POST" ? { body: "{}" } : {}),
      });
      expect([method, path, response.status]).toEqual([method, path, 403]);
    }
    expect((await pull("/v1/decisions/stream?startup=true")).status).toBe(200);
    expect((await pull("/v1/decisions/stream", TEST_KEYS.read)).status).toBe(403);
    expect((await pull("/v1/decisions?ip=203.0.113.7", TEST_KEYS.ingest)).status).toBe(403);
    expect((await api.request("/v1/decisions", { key: null })).status).toBe(401);
    expect((await ban({ ip: "203.0.113.7", reason: "r" }, "read")).status).toBe(403);
  });

  it("an admin bans; bouncers get it once as new, then its lifting as deleted", async () => {
    const made = await ban({ ip: "203.0.113.7", duration: "4h", reason: "ssh brute force seen by hand" });
    expect(made.status).toBe(201);
    const created = (await made.json()) as { id: number };
    expect(created).toEqual({
      id: created.id,
      ip: "203.0.113.7",
      scope: "Ip",
      reason: "ssh brute force seen by hand",
      origin: "analyst:admin",
      alert_id: null,
      created_at: nowMs / 1000,
      expires_at: nowMs / 1000 + 14_400,
    });
    expect(await (await api.request("/bans", { key: "read" })).json()).toEqual([created]);

    nowMs += 10_000;
    const first = await stream("?startup=true");
    expect(first).toEqual({
      new: [
        {
          id: created.id,
          origin: "analyst:admin",
          type: "ban",
          scope: "Ip",
          value: "203.0.113.7",
          duration: "3h59m50s",
          until: "2030-01-01T04:00:00.000Z",
          scenario: "ssh brute force seen by hand",
        },
      ],
      deleted: [],
    });
    expect(await stream("?startup=false")).toEqual({ new: [], deleted: [] });
    expect((await pull("/v1/decisions?ip=203.0.113.7")).body).toEqual(first.new);
    expect((await pull("/v1/decisions?ip=203.0.113.8")).body).toEqual([]);

    const lifted = await api.request(`/bans/${encodeURIComponent("203.0.113.7")}`, { method: "DELETE" });
    expect([lifted.status, ((await lifted.json()) as { id: number }).id]).toEqual([200, created.id]);
    expect(await stream()).toMatchObject({ new: [], deleted: [{ id: created.id, value: "203.0.113.7" }] });
    expect(await stream()).toEqual({ new: [], deleted: [] });
    expect((await api.request("/bans/203.0.113.7", { method: "DELETE" })).status).toBe(404);
  });

  it("keeps each bouncer's stream apart", async () => {
    const other = "bouncer-two-key-0123456789";
    // Two keys of the bouncer role, each its own bouncer.
    const twoBouncers = await startTestApi({
      now: () => nowMs,
      access: keyAccess([
        { role: "admin", key: TEST_KEYS.admin, name: "admin" },
        { role: "bouncer", key: TEST_KEYS.bouncer, name: "edge-a" },
        { role: "bouncer", key: other, name: "edge-b" },
      ]),
    });
    try {
      const pullAs = async (key: string) =>
        (
          await fetch(`${twoBouncers.url}/v1/decisions/stream`, { headers: { "X-Api-Key": key } })
        ).json() as Promise<LapiStream>;
      await twoBouncers.request("/bans", {
        method: "POST",
        body: JSON.stringify({ ip: "198.51.100.0/24", reason: "scanner" }),
      });
      expect((await pullAs(TEST_KEYS.bouncer)).new.map((d) => [d.value, d.scope])).toEqual([
        ["198.51.100.0/24", "Range"],
      ]);
      expect((await pullAs(TEST_KEYS.bouncer)).new).toEqual([]);
      expect((await pullAs(other)).new.map((d) => d.value)).toEqual(["198.51.100.0/24"]);
    } finally {
      await twoBouncers.close();
    }
  });

  it("refuses with 409 to ban a whitelisted address or a block holding one, and bans expire", async () => {
    await api.deps.bus.publish(TOPICS.configUpdates, [
      whitelistUpdateMessage({ action: "add", ip: "192.0.2.10" }),
      whitelistUpdateMessage({ action: "add", ip: "10.0.0.0/8" }),
    ]);
    await eventually(() => expect(api.deps.whitelist.size).toBe(2));
    for (const [ip, entry] of [
      ["192.0.2.10", "192.0.2.10"],
      ["192.0.2.0/24", "192.0.2.10"],
      ["10.20.30.40", "10.0.0.0/8"],
    ] as const) {
      const response = await ban({ ip, reason: "r" });
      expect([ip, response.status]).toEqual([ip, 409]);
      expect(((await response.json()) as { detail: string }).detail).toContain(`whitelist entry ${entry}`);
    }
    expect(await (await api.request("/bans")).json()).toEqual([]);

    expect((await ban({ ip: "203.0.113.9", duration: 600, reason: "r" })).status).toBe(201);
    nowMs += 600_000;
    expect(await (await api.request("/bans")).json()).toEqual([]);
  });

  it("answers 400 for what cannot be banned, naming why", async () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ ip: "203.0.0.0/15", reason: "r" }, /ip: a \/15 block is too broad to ban/],
      [{ ip: "2001:db8::/32", reason: "r" }, /too broad/],
      [{ ip: "127.0.0.1", reason: "r" }, /never banned/],
      [{ ip: "evil.example", reason: "r" }, /not an IPv4\/IPv6 address/],
      [{ ip: "203.0.113.7", reason: "" }, /reason/],
      [{ ip: "203.0.113.7", reason: "r", duration: "forever" }, /duration: expected seconds or a duration/],
      [{ ip: "203.0.113.7", reason: "r", duration: "40d" }, /duration: a ban lasts from 1m0s to 30 days/],
    ];
    for (const [body, detail] of cases) {
      const response = await ban(body);
      expect([body, response.status]).toEqual([body, 400]);
      expect(((await response.json()) as { detail: string }).detail).toMatch(detail);
    }
  });

  it("keeps a longer ban in force (200) and replaces a shorter one (201): bouncers are told the address stays banned", async () => {
    const long = (await (await ban({ ip: "203.0.113.50", duration: "8h", reason: "first" })).json()) as { id: number };
    await stream("?startup=true");
    const shorter = await ban({ ip: "203.0.113.50", duration: "1h", reason: "again" });
    expect([shorter.status, ((await shorter.json()) as { id: number }).id]).toEqual([200, long.id]);
    const longer = await ban({ ip: "203.0.113.50", duration: "1d", reason: "worse" });
    expect(longer.status).toBe(201);
    expect(await stream()).toMatchObject({ new: [{ value: "203.0.113.50", scenario: "worse" }], deleted: [] });
  });

  it("bans automatically from high-priority alerts under the same rules, once per alert", async () => {
    const decisions = createMemoryDecisionStore();
    const alerts = await startTestApi({ now: () => nowMs, decisions });
    const subscription = await startAutoBan({
      bus: alerts.deps.bus,
      decisions,
      whitelist: alerts.deps.whitelist,
      rules: autoBanRulesSetting.parse(undefined),
      logger: silentLogger(),
      registry: createRegistry("auto-ban-test", { defaultMetrics: false }),
      now: () => nowMs,
    });
    try {
      await alerts.deps.bus.publish(TOPICS.configUpdates, [
        whitelistUpdateMessage({ action: "add", ip: "192.0.2.10" }),
      ]);
      await eventually(() => expect(alerts.deps.whitelist.size).toBe(1));
      const alert = (source_ip: string, id: string, details: HighPriorityAlert["details"] = {}): HighPriorityAlert => ({
        schema_version: 1,
        alert_id: id,
        type: "brute_force",
        severity: "high",
        summary: `Brute-force attempt detected from ${source_ip} (5 attempts).`,
        detected_at: nowMs / 1000,
        source_ip,
        count: 5,
        window_seconds: 300,
        first_seen: null,
        last_seen: null,
        log_id: id,
        details,
      });
      const published = [
        alert("203.0.113.7", "logs-0-4"),
        alert("203.0.113.7", "logs-0-4"),
        alert("192.0.2.10", "logs-0-9"),
        alert("198.51.100.1", "logs-1-2", { source_inferred: true }),
      ];
      await alerts.deps.bus.publish(TOPICS.highPriorityAlerts, [
        ...published.map((a) => ({ key: a.source_ip, value: JSON.stringify(a) })),
        { key: null, value: "not json" },
      ]);
      await eventually(async () =>
        expect(await (await alerts.request("/bans")).json()).toEqual([
          {
            id: 1,
            ip: "203.0.113.7",
            scope: "Ip",
            reason: "Brute-force attempt detected from 203.0.113.7 (5 attempts).",
            origin: "rule:brute_force",
            alert_id: "logs-0-4",
            created_at: nowMs / 1000,
            expires_at: nowMs / 1000 + 14_400,
          },
        ]),
      );
    } finally {
      await subscription?.stop();
      await alerts.close();
    }
  });
});
