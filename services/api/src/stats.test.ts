/**
 * GET /stats over HTTP with a time range, on the in-memory store and on the real Elasticsearch:
 * the timeline covers the whole range with zeros for quiet buckets, the bucket width follows the
 * range unless asked for, and a range the API cannot answer is a 400 that says why.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LogStore, ProcessedLog } from "@soc/shared";
import { createElasticsearchStore } from "@soc/shared/elasticsearch";
import { createMemoryStore } from "@soc/shared/memory";
import { missingInfra, realInfra, uniqueName } from "@soc/shared/testing";
import { startTestApi, type TestApi } from "./testing.ts";

const HOUR = 3600;
const at = (iso: string): number => Date.parse(iso) / 1000;
const DAY_START = at("2026-11-26T00:00:00Z");

const alert = (id: string, timestamp: number, source_ip: string): ProcessedLog => ({
  id,
  message: `sshd[1]: Failed password for root from ${source_ip} port 22 ssh2`,
  timestamp,
  status: "new",
  is_anomaly: true,
  reason: `Brute-force attempt detected from ${source_ip} (5 attempts).`,
  source_ip,
  rule: "brute_force",
});

/** Alerts at 02:10 (two), 02:50 and 05:30, and one the day before; hours 00, 01, 03, 04 and 06… are quiet. */
const DOCS: ProcessedLog[] = [
  alert("a", DAY_START + 2 * HOUR + 600, "203.0.113.7"),
  alert("b", DAY_START + 2 * HOUR + 600, "203.0.113.7"),
  alert("c", DAY_START + 2 * HOUR + 3000, "198.51.100.4"),
  {
    ...alert("d", DAY_START + 5 * HOUR + 1800, "203.0.113.7"),
    client: { ip: "203.0.113.7", geo: { country_iso_code: "NL", country_name: "Netherlands" }, as: { number: 64_500 } },
  },
  alert("yesterday", DAY_START - 12 * HOUR, "192.0.2.1"),
  { ...alert("normal", DAY_START + 3 * HOUR, "192.0.2.9"), is_anomaly: false, rule: null, reason: null },
];

interface StatsBody {
  total: number;
  anomalies: number;
  top_source_ips: { ip: string; count: number; client?: unknown }[];
  timeline: { t: number; count: number }[];
  bucket_seconds: number;
}

function statsOverHttp(
  name: string,
  makeStore: () => LogStore,
  dispose: (store: LogStore) => Promise<void> = (store) => store.close(),
): void {
  describe(name, () => {
    let store: LogStore;
    let api: TestApi;
    const stats = async (query: string): Promise<StatsBody> => {
      const response = await api.request(`/stats?${query}`, { key: "read" });
      expect(response.status).toBe(200);
      return (await response.json()) as StatsBody;
    };

    beforeAll(async () => {
      store = makeStore();
      await store.ensureReady();
      await store.bulkIndex(DOCS);
      api = await startTestApi({ store });
    });
    afterAll(async () => {
      await api?.close();
      await dispose(store);
    });

    it("fills a day's range hour by hour, quiet hours with 0, counting only what the range holds", async () => {
      const body = await stats(`from=${DAY_START}&to=${DAY_START + 24 * HOUR - 1}`);
      expect(body.bucket_seconds).toBe(HOUR);
      expect(body.timeline).toHaveLength(24);
      expect(body.timeline.slice(0, 7)).toEqual([
        { t: DAY_START, count: 0 },
        { t: DAY_START + HOUR, count: 0 },
        { t: DAY_START + 2 * HOUR, count: 3 },
        { t: DAY_START + 3 * HOUR, count: 0 },
        { t: DAY_START + 4 * HOUR, count: 0 },
        { t: DAY_START + 5 * HOUR, count: 1 },
        { t: DAY_START + 6 * HOUR, count: 0 },
      ]);
      expect(body.timeline.at(-1)).toEqual({ t: DAY_START + 23 * HOUR, count: 0 });
      expect(body).toMatchObject({ total: 5, anomalies: 4 });
      expect(body.top_source_ips).toEqual([
        {
          ip: "203.0.113.7",
          count: 3,
          client: { geo: { country_iso_code: "NL", country_name: "Netherlands" }, as: { number: 64_500 } },
        },
        { ip: "198.51.100.4", count: 1 },
      ]);
    });

    it("takes RFC 3339 times and a bucket width of its own", async () => {
      const body = await stats(`from=2026-11-26T02:00:00Z&to=2026-11-26T02:59:59Z&bucket_seconds=900`);
      expect(body.bucket_seconds).toBe(900);
      expect(body.timeline.map((bucket) => bucket.count)).toEqual([2, 0, 0, 1]);
    });

    it("picks wider buckets for a wider range: a week in 6-hour buckets", async () => {
      const body = await stats(`from=${DAY_START - 6 * 24 * HOUR}&to=${DAY_START + 24 * HOUR - 1}`);
      expect(body.bucket_seconds).toBe(6 * HOUR);
      expect(body.timeline).toHaveLength(28);
      expect(body.timeline.reduce((sum, bucket) => sum + bucket.count, 0)).toBe(5);
    });

    it("answers as before without a range: hourly buckets, only those with alerts", async () => {
      const body = await stats("");
      expect(body.bucket_seconds).toBe(HOUR);
      expect(body.timeline).toEqual([
        { t: DAY_START - 12 * HOUR, count: 1 },
        { t: DAY_START + 2 * HOUR, count: 3 },
        { t: DAY_START + 5 * HOUR, count: 1 },
      ]);
    });

    it.each([
      ["a range that ends before it starts", `from=${DAY_START}&to=${DAY_START - 1}`, "to: must not be before from"],
      [
        "more buckets than a chart can hold",
        `from=${DAY_START - 30 * 24 * HOUR}&to=${DAY_START}&bucket_seconds=60`,
        "bucket_seconds: gives more than 2000 buckets over from..to",
      ],
      ["a time that is not one", "from=yesterday&to=now", "from: "],
    ])("refuses %s with a 400 that says why", async (_, query, detail) => {
      const response = await api.request(`/stats?${query}`, { key: "read" });
      expect(response.status).toBe(400);
      expect(((await response.json()) as { detail: string }).detail).toContain(detail);
    });
  });
}

statsOverHttp("GET /stats with a range on the in-memory store", () => createMemoryStore());

describe.skipIf(missingInfra("elasticsearchUrl"))("on the real Elasticsearch", () => {
  const elasticsearch = createElasticsearchStore({
    url: realInfra.elasticsearchUrl ?? "",
    index: uniqueName("stats-range"),
    refreshOnWrite: true,
    retention: null,
  });
  statsOverHttp(
    "GET /stats with a range on Elasticsearch",
    () => elasticsearch,
    async () => {
      await elasticsearch.dropIndices();
      await elasticsearch.close();
    },
  );
});
