/** The behaviour every LogStore adapter must have; run against the in-memory store and real Elasticsearch. */
import { afterAll, expect, it } from "vitest";
import type { ProcessedLog } from "../messages.ts";
import type { LogStore } from "./log-store.ts";

const doc = (id: string, timestamp: number, overrides: Partial<ProcessedLog> = {}): ProcessedLog => ({
  id,
  message: `failed login attempt for user admin from 198.51.100.${timestamp % 200}`,
  timestamp,
  status: "new",
  is_anomaly: true,
  reason: "Brute-force attempt detected from 198.51.100.10 (5 attempts).",
  source_ip: "198.51.100.10",
  rule: "brute_force",
  source: "sshd",
  ...overrides,
});

const ids = (items: ProcessedLog[]): string[] => items.map((item) => item.id);
const DAY = 86_400;

export function storeContract(makeStore: () => Promise<LogStore>): void {
  let store: LogStore | undefined;
  const ready = async (): Promise<LogStore> => {
    if (store === undefined) {
      store = await makeStore();
      await store.ensureReady();
      await store.bulkIndex([
        doc("a", 1_700_000_000),
        doc("b", 1_700_000_100.5, {
          source_ip: "203.0.113.9",
          rule: "keyword",
          reason: "Log contains anomalous keyword.",
          message: "permission denied for user bob",
        }),
        doc("c", 1_700_000_200, {
          status: "resolved",
          status_updated_at: 1_700_000_900,
          client: { ip: "198.51.100.10", geo: { country_iso_code: "DE" } },
        }),
        doc("d", 1_700_003_700, {
          is_anomaly: false,
          rule: null,
          reason: null,
          source_ip: null,
          message: "GET /health 200",
        }),
        doc("e", 1_700_000_200, {
          rule: "traffic_spike",
          client: {
            ip: "198.51.100.10",
            port: 22,
            geo: { country_iso_code: "US", country_name: "United States" },
            as: { number: 64_500, organization: { name: "Example Net" } },
          },
        }),
      ]);
    }
    return store;
  };
  afterAll(async () => {
    await store?.close();
  });

  it("returns documents newest first, ties broken by id", async () => {
    const page = await (await ready()).search({ is_anomaly: true, size: 10 });
    expect(ids(page.items)).toEqual(["e", "c", "b", "a"]);
    expect(page.total).toBe(4);
    expect(page.next_cursor).toBeNull();
    expect(page.items[2]).toEqual(
      doc("b", 1_700_000_100.5, {
        source_ip: "203.0.113.9",
        rule: "keyword",
        reason: "Log contains anomalous keyword.",
        message: "permission denied for user bob",
      }),
    );
  });

  it("pages with cursors without skipping or repeating", async () => {
    const s = await ready();
    const first = await s.search({ size: 2 });
    const second = await s.search({ size: 2, cursor: first.next_cursor ?? "" });
    const third = await s.search({ size: 2, cursor: second.next_cursor ?? "" });
    expect([...ids(first.items), ...ids(second.items), ...ids(third.items)]).toEqual(["d", "e", "c", "b", "a"]);
    expect(third.next_cursor).toBeNull();
  });

  it.each([
    ["status", { status: ["resolved" as const] }, ["c"]],
    ["rule", { rule: ["keyword" as const, "traffic_spike" as const] }, ["e", "b"]],
    ["source_ip", { source_ip: "203.0.113.9" }, ["b"]],
    ["time range", { from: 1_700_000_100, to: 1_700_000_200 }, ["e", "c", "b"]],
    ["normal logs", { is_anomaly: false }, ["d"]],
    ["message words", { text: "permission denied" }, ["b"]],
  ])("filters by %s", async (_, filter, expected) => {
    expect(ids((await (await ready()).search({ size: 10, ...filter })).items)).toEqual(expected);
  });

  it("replaces a document written again under the same id instead of duplicating it", async () => {
    const s = await ready();
    await s.bulkIndex([doc("a", 1_700_000_000)]);
    expect((await s.search({ size: 10 })).total).toBe(5);
  });

  it("updates a status and reports unknown ids", async () => {
    const s = await ready();
    expect(await s.updateStatus("a", "acknowledged", 1_700_001_000.25)).toBe(true);
    expect(await s.get("a")).toMatchObject({
      status: "acknowledged",
      status_updated_at: 1_700_001_000.25,
      resolution_seconds: null,
    });
    expect(await s.updateStatus("b", "resolved", 1_700_001_001)).toBe(true);
    expect(await s.get("b")).toMatchObject({
      status: "resolved",
      timestamp: 1_700_000_100.5,
      resolution_seconds: 900.5,
    });
    expect(await s.updateStatus("missing", "resolved", 1_700_001_000)).toBe(false);
    expect(await s.get("missing")).toBeNull();
  });

  it("deletes what the retention no longer keeps, per family, and nothing else", async () => {
    const fresh = await makeStore();
    try {
      await fresh.ensureReady();
      const now = Math.floor(Date.now() / 1000);
      await fresh.bulkIndex([
        doc("recent-normal", now - DAY, { is_anomaly: false, rule: null }),
        doc("old-normal", now - 40 * DAY, { is_anomaly: false, rule: null }),
        doc("old-incident", now - 300 * DAY),
        doc("ancient-incident", now - 450 * DAY),
      ]);
      // Forty days on, with 30 days for normal logs and 400 for anomalies, only the 300-day-old incident is still kept.
      const outcome = await fresh.applyRetention({ normalDays: 30, anomalyDays: 400 }, now + 40 * DAY);
      expect(ids((await fresh.search({ size: 10 })).items)).toEqual(["old-incident"]);
      expect(outcome.deletedIndices.length + outcome.deletedDocuments).toBeGreaterThan(0);
    } finally {
      await fresh.close();
    }
  });

  it("summarises anomalies by rule, status, IP and time bucket", async () => {
    const stats = await (await ready()).stats({ bucketSeconds: 3600, topIps: 5, from: 1_699_999_000 });
    expect(stats).toMatchObject({
      total: 5,
      anomalies: 4,
      by_rule: { brute_force: 2, keyword: 1, traffic_spike: 1 },
      top_source_ips: [
        { ip: "198.51.100.10", count: 3 },
        { ip: "203.0.113.9", count: 1 },
      ],
      timeline: [{ t: 1_699_999_200, count: 4 }],
    });
    // After the status test above: a acknowledged, b and c resolved, e new.
    expect(stats.by_status).toEqual({ new: 1, acknowledged: 1, resolved: 2 });
  });

  it("tells where each top source IP is from its newest enriched alert, without its address and port", async () => {
    const stats = await (await ready()).stats({ bucketSeconds: 3600, topIps: 5 });
    // c and e have the same event time: e is newer by id, as in search order.
    expect(stats.top_source_ips).toEqual([
      {
        ip: "198.51.100.10",
        count: 3,
        client: {
          geo: { country_iso_code: "US", country_name: "United States" },
          as: { number: 64_500, organization: { name: "Example Net" } },
        },
      },
      { ip: "203.0.113.9", count: 1 },
    ]);
  });

  it("keeps the empty buckets of a closed range, so quiet hours show as zeros", async () => {
    const hour = 3600;
    const stats = await (
      await ready()
    ).stats({ bucketSeconds: hour, topIps: 5, from: 1_699_992_000, to: 1_700_010_000 + 59 });
    expect(stats.timeline).toEqual([
      { t: 1_699_992_000, count: 0 },
      { t: 1_699_992_000 + hour, count: 0 },
      { t: 1_699_992_000 + 2 * hour, count: 4 },
      { t: 1_699_992_000 + 3 * hour, count: 0 },
      { t: 1_699_992_000 + 4 * hour, count: 0 },
      { t: 1_699_992_000 + 5 * hour, count: 0 },
    ]);
  });
}
