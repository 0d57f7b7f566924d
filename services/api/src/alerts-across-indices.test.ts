/**
 * Triage through the HTTP API on the real Elasticsearch, with alerts in different indices behind
 * the `processed_logs` alias: each side of a month boundary, and an index from before time-based
 * indices. A status change lands on the index that holds the alert, and GET /alerts shows it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ProcessedLog } from "@soc/shared";
import { createElasticsearchStore, PROCESSED_LOGS_MAPPING } from "@soc/shared/elasticsearch";
import { missingInfra, realInfra, uniqueName } from "@soc/shared/testing";
import { startTestApi, type TestApi } from "./testing.ts";

const at = (iso: string): number => Date.parse(iso) / 1000;
const NOW = at("2026-11-27T10:00:00Z");
const alert = (id: string, timestamp: number): ProcessedLog => ({
  id,
  message: `failed login attempt for user admin from 203.0.113.5 (${id})`,
  timestamp,
  status: "new",
  is_anomaly: true,
  reason: "Brute-force attempt detected from 203.0.113.5 (5 attempts).",
  source_ip: "203.0.113.5",
  rule: "brute_force",
});

describe.skipIf(missingInfra("elasticsearchUrl"))(
  "PATCH /alerts across the indices behind processed_logs (real Elasticsearch)",
  () => {
    const store = createElasticsearchStore({
      url: realInfra.elasticsearchUrl ?? "",
      index: uniqueName("triage-logs"),
      refreshOnWrite: true,
      now: () => NOW,
    });
    let api: TestApi;
    const indexOf = async (id: string): Promise<string[]> =>
      (await store.client.search({ index: store.index, query: { ids: { values: [id] } } })).hits.hits.map(
        (hit) => hit._index,
      );

    beforeAll(async () => {
      // An install from before time-based indices: one concrete index named like the alias.
      await store.client.indices.create({ index: store.index, mappings: PROCESSED_LOGS_MAPPING });
      await store.client.index({
        index: store.index,
        id: "from-last-year",
        document: alert("from-last-year", at("2025-12-24T03:00:00Z")),
        refresh: true,
      });
      await store.ensureReady();
      await store.bulkIndex([
        alert("october", at("2026-10-31T23:59:59Z")),
        alert("november", at("2026-11-01T00:00:00Z")),
      ]);
      api = await startTestApi({ store, now: () => NOW * 1000 });
    });
    afterAll(async () => {
      await api?.close();
      await store.dropIndices();
      await store.close();
    });

    it("sets one alert's status in the index that holds it, on either side of a month boundary and in the migrated index", async () => {
      for (const id of ["october", "november", "from-last-year"]) {
        const response = await api.request(`/alerts/${id}`, {
          method: "PATCH",
          body: JSON.stringify({ status: "resolved" }),
        });
        expect([id, response.status]).toEqual([id, 200]);
      }
      expect(await indexOf("october")).toEqual([`${store.index}-anomalies-2026.10`]);
      expect(await indexOf("november")).toEqual([`${store.index}-anomalies-2026.11`]);
      expect(await indexOf("from-last-year")).toEqual([`${store.index}-legacy`]);
      const resolved = (await (await api.request("/alerts?status=resolved", { key: "read" })).json()) as ProcessedLog[];
      expect(resolved.map((doc) => [doc.id, doc.status_updated_at])).toEqual([
        ["november", NOW],
        ["october", NOW],
        ["from-last-year", NOW],
      ]);
    });

    it("triages many at once across indices, and answers 404 for an id no index holds", async () => {
      const response = await api.request("/alerts", {
        method: "PATCH",
        body: JSON.stringify({ ids: ["october", "from-last-year", "never-stored"], status: "false_positive" }),
      });
      expect(await response.json()).toEqual({ updated: 2, not_found: ["never-stored"] });
      expect(
        (await api.request("/alerts/never-stored", { method: "PATCH", body: JSON.stringify({ status: "resolved" }) }))
          .status,
      ).toBe(404);
      const dismissed = (await (
        await api.request("/alerts?status=false_positive", { key: "read" })
      ).json()) as ProcessedLog[];
      expect(dismissed.map((doc) => doc.id)).toEqual(["october", "from-last-year"]);
      expect((await indexOf("october")).length + (await indexOf("from-last-year")).length).toBe(2);
    });
  },
);
