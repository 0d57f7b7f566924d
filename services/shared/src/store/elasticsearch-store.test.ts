import { afterAll, describe, expect, it } from "vitest";
import type { ProcessedLog } from "../messages.ts";
import { missingInfra, realInfra, uniqueName } from "../testing/infra.ts";
import {
  createElasticsearchStore,
  PROCESSED_LOGS_MAPPING,
  type ElasticsearchStoreOptions,
} from "./elasticsearch-store.ts";
import { storeContract } from "./store.contract.ts";

const at = (iso: string): number => Date.parse(iso) / 1000;
const doc = (id: string, timestamp: number, overrides: Partial<ProcessedLog> = {}): ProcessedLog => ({
  id,
  message: `failed login attempt for user admin from 198.51.100.7 (${id})`,
  timestamp,
  status: "new",
  is_anomaly: true,
  reason: "Brute-force attempt detected from 198.51.100.7 (5 attempts).",
  source_ip: "198.51.100.7",
  rule: "brute_force",
  ...overrides,
});
const normal = (id: string, timestamp: number): ProcessedLog =>
  doc(id, timestamp, {
    is_anomaly: false,
    rule: null,
    reason: null,
    source_ip: null,
    message: `GET /health 200 (${id})`,
  });

describe.skipIf(missingInfra("elasticsearchUrl"))("Elasticsearch store on a real server", () => {
  const url = realInfra.elasticsearchUrl ?? "";
  const opened: ReturnType<typeof createElasticsearchStore>[] = [];
  const fresh = (prefix: string, options: Partial<ElasticsearchStoreOptions> = {}) => {
    const store = createElasticsearchStore({ url, index: uniqueName(prefix), refreshOnWrite: true, ...options });
    opened.push(store);
    return store;
  };
  /** A store on a fresh alias whose clock the test moves. */
  const storeAt = (clock: { now: number }) => fresh("tb-logs", { now: () => clock.now });
  /** Which index behind the alias holds each id. */
  const whereIs = async (
    store: ReturnType<typeof createElasticsearchStore>,
    ...ids: string[]
  ): Promise<Record<string, string[]>> => {
    const response = await store.client.search({ index: store.index, size: 100, query: { ids: { values: ids } } });
    const found: Record<string, string[]> = {};
    for (const hit of response.hits.hits) (found[hit._id ?? ""] ??= []).push(hit._index);
    return found;
  };
  afterAll(async () => {
    // The contract closes its stores itself: drop each alias's indices through a client of our own.
    for (const { index } of opened) {
      const store = createElasticsearchStore({ url, index });
      await store.dropIndices();
      await store.close();
    }
    await Promise.allSettled(opened.map((store) => store.close()));
  });

  storeContract(async () => fresh("contract-logs"));

  it("writes into one index per family and period behind the alias, made from the template, and searches them all by the alias", async () => {
    const clock = { now: at("2026-11-27T10:00:00Z") };
    const store = storeAt(clock);
    await store.ensureReady();
    await store.bulkIndex([
      normal("n1", at("2026-11-27T09:00:00Z")),
      normal("n0", at("2026-11-26T23:59:59Z")),
      doc("a1", at("2026-10-31T23:59:59Z")),
      doc("a2", at("2026-11-01T00:00:00Z")),
    ]);
    const alias = store.index;
    expect(await whereIs(store, "n1", "n0", "a1", "a2")).toEqual({
      n1: [`${alias}-normal-2026.11.27`],
      n0: [`${alias}-normal-2026.11.26`],
      a1: [`${alias}-anomalies-2026.10`],
      a2: [`${alias}-anomalies-2026.11`],
    });
    expect((await store.search({ size: 10 })).items.map((d) => d.id)).toEqual(["n1", "n0", "a2", "a1"]);
    expect((await store.stats({ bucketSeconds: 86_400, topIps: 3 })).anomalies).toBe(2);
    const mapping = await store.client.indices.getMapping({ index: `${alias}-normal-2026.11.26` });
    expect(mapping[`${alias}-normal-2026.11.26`]?.mappings.dynamic).toBe("strict");
  });

  it("changes the status of an old alert in the index that holds it, across a month boundary, without copying it", async () => {
    const clock = { now: at("2026-11-27T10:00:00Z") };
    const store = storeAt(clock);
    await store.ensureReady();
    await store.bulkIndex([doc("october", at("2026-10-31T23:59:59Z")), doc("november", at("2026-11-01T00:00:00Z"))]);
    expect(await store.updateStatus("october", "resolved", clock.now)).toBe(true);
    expect(await store.updateStatus("november", "acknowledged", clock.now)).toBe(true);
    expect(await whereIs(store, "october", "november")).toEqual({
      october: [`${store.index}-anomalies-2026.10`],
      november: [`${store.index}-anomalies-2026.11`],
    });
    expect(await store.get("october")).toMatchObject({
      status: "resolved",
      resolution_seconds: clock.now - at("2026-10-31T23:59:59Z"),
    });
    expect((await store.search({ size: 10, status: ["resolved"] })).items.map((d) => d.id)).toEqual(["october"]);
  });

  it("keeps today's index, the oldest day kept and late events; deletes whole days and months once past their family's retention", async () => {
    const clock = { now: at("2026-09-01T12:00:00Z") };
    const store = storeAt(clock);
    await store.ensureReady();
    await store.bulkIndex([normal("sep-1", clock.now), doc("sep-incident", clock.now)]);
    clock.now = at("2026-11-27T10:00:00Z");
    await store.ensureReady();
    await store.bulkIndex([
      normal("today", at("2026-11-27T09:00:00Z")),
      normal("oldest-kept", at("2026-10-28T00:00:00Z")),
      // Arrives now for a day still kept: its own day.
      normal("late", at("2026-11-02T08:00:00Z")),
      // Arrives now for a day already past 30 days: the oldest day kept, not a day the next run deletes.
      normal("too-late", at("2026-10-01T08:00:00Z")),
    ]);
    const alias = store.index;
    expect(await whereIs(store, "late", "too-late")).toEqual({
      late: [`${alias}-normal-2026.11.02`],
      "too-late": [`${alias}-normal-2026.10.28`],
    });

    const outcome = await store.applyRetention({ normalDays: 30, anomalyDays: 45 }, clock.now);
    expect(outcome).toEqual({
      deletedIndices: [`${alias}-anomalies-2026.09`, `${alias}-normal-2026.09.01`],
      deletedDocuments: 0,
    });
    expect((await store.search({ size: 10 })).items.map((d) => d.id).sort()).toEqual([
      "late",
      "oldest-kept",
      "today",
      "too-late",
    ]);
    expect((await store.backingIndices()).sort()).toEqual([
      `${alias}-anomalies-2026.11`,
      `${alias}-normal-2026.10.28`,
      `${alias}-normal-2026.11.02`,
      `${alias}-normal-2026.11.27`,
    ]);
    // The day that just left the writers' range stays for the grace hour after midnight, then goes.
    expect(
      (await store.applyRetention({ normalDays: 30, anomalyDays: 45 }, at("2026-11-28T00:30:00Z"))).deletedIndices,
    ).toEqual([]);
    expect(
      (await store.applyRetention({ normalDays: 30, anomalyDays: 45 }, at("2026-11-28T01:00:00Z"))).deletedIndices,
    ).toEqual([`${alias}-normal-2026.10.28`]);
  });

  describe("an index from before time-based indices (a concrete index named like the alias)", () => {
    const OLD_MAPPING = {
      dynamic: "strict" as const,
      properties: {
        id: { type: "keyword" as const },
        message: { type: "text" as const },
        timestamp: { type: "date" as const, format: "epoch_second" },
        status: { type: "keyword" as const },
        is_anomaly: { type: "boolean" as const },
        reason: { type: "text" as const },
        source_ip: { type: "ip" as const },
      },
    };
    const oldDoc = (id: string, timestamp: number, is_anomaly: boolean) => ({
      id,
      message: `old ${id}`,
      timestamp,
      status: "new",
      is_anomaly,
      reason: null,
      source_ip: null,
    });

    it("becomes one more backing index at start-up: its alerts stay searchable and triageable, new fields are added, new writes go to dated indices", async () => {
      const clock = { now: at("2026-11-27T10:00:00Z") };
      const store = storeAt(clock);
      await store.client.indices.create({ index: store.index, mappings: OLD_MAPPING });
      await store.client.bulk({
        refresh: true,
        operations: [
          { index: { _index: store.index, _id: "old-alert" } },
          oldDoc("old-alert", at("2026-06-01T00:00:00Z"), true),
        ],
      });

      await store.ensureReady();
      // A second replica starting at the same time, or a restart after a crash: nothing more happens.
      await store.ensureReady();
      const legacy = `${store.index}-legacy`;
      expect((await store.backingIndices()).sort()).toEqual([
        `${store.index}-anomalies-2026.11`,
        legacy,
        `${store.index}-normal-2026.11.27`,
      ]);
      expect(await store.updateStatus("old-alert", "false_positive", clock.now)).toBe(true);
      await store.bulkIndex([doc("new", clock.now, { source_host: "scanner.example", source_ip_inferred: false })]);
      expect(await whereIs(store, "old-alert", "new")).toEqual({
        "old-alert": [legacy],
        new: [`${store.index}-anomalies-2026.11`],
      });
      expect((await store.search({ size: 10 })).items.map((d) => [d.id, d.status])).toEqual([
        ["new", "new"],
        ["old-alert", "false_positive"],
      ]);
      const legacyMapping = await store.client.indices.getMapping({ index: legacy });
      expect(Object.keys(legacyMapping[legacy]?.mappings.properties ?? {})).toEqual(
        expect.arrayContaining(Object.keys(PROCESSED_LOGS_MAPPING.properties ?? {})),
      );
    });

    it("is pruned document by document per family, and deleted once empty", async () => {
      const clock = { now: at("2026-11-27T10:00:00Z") };
      const store = storeAt(clock);
      await store.client.indices.create({ index: store.index, mappings: OLD_MAPPING });
      const docs = [
        oldDoc("normal-expired", at("2026-10-01T00:00:00Z"), false),
        oldDoc("normal-kept", at("2026-11-20T00:00:00Z"), false),
        oldDoc("incident-kept", at("2026-06-01T00:00:00Z"), true),
      ];
      await store.client.bulk({
        refresh: true,
        operations: docs.flatMap((d) => [{ index: { _index: store.index, _id: d.id } }, d]),
      });
      await store.ensureReady();
      const legacy = `${store.index}-legacy`;

      expect(await store.applyRetention({ normalDays: 30, anomalyDays: 400 }, clock.now)).toEqual({
        deletedIndices: [],
        deletedDocuments: 1,
      });
      expect((await store.search({ size: 10 })).items.map((d) => d.id)).toEqual(["normal-kept", "incident-kept"]);
      const later = at("2027-12-01T10:00:00Z");
      const outcome = await store.applyRetention({ normalDays: 30, anomalyDays: 400 }, later);
      expect(outcome.deletedDocuments).toBe(2);
      expect(outcome.deletedIndices).toContain(legacy);
      expect(await store.backingIndices()).not.toContain(legacy);
    });
  });
});
