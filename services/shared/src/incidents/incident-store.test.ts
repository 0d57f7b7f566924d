import { afterAll, describe, expect, it } from "vitest";
import { missingInfra, realInfra, uniqueName } from "../testing/infra.ts";
import { createElasticsearchIncidentStore } from "./elasticsearch-incident-store.ts";
import type { Incident } from "./incident.ts";
import { createMemoryIncidentStore, type IncidentStore } from "./incident-store.ts";

const incident = (id: string, lastSeen: number, overrides: Partial<Incident> = {}): Incident => ({
  id,
  rule: "brute_force",
  subject: "183.62.140.253",
  status: "new",
  severity: "high",
  first_seen: lastSeen - 60.5,
  last_seen: lastSeen,
  alerts: 3,
  events: 15,
  reason: "Brute-force attempt detected from 183.62.140.253 (5 attempts).",
  source: "sshd",
  source_ip: "183.62.140.253",
  first_alert_id: "logs-0-1",
  last_alert_id: "logs-0-9",
  status_updated_at: null,
  revision: 3,
  ...overrides,
});

function incidentStoreContract(makeStore: () => Promise<IncidentStore>): void {
  let store: IncidentStore;
  afterAll(async () => store?.close());

  it("keeps the latest revision, whatever order writes arrive in", async () => {
    store = await makeStore();
    await store.put([incident("i1", 1000.25, { revision: 5, alerts: 5 })], { visibleNow: true });
    await store.put([incident("i1", 900, { revision: 4, alerts: 4 })], { visibleNow: true });
    expect(await store.get("i1")).toMatchObject({ revision: 5, alerts: 5, last_seen: 1000.25 });
    await store.put([incident("i1", 1000.25, { revision: 5, alerts: 5 })], { visibleNow: true });
    await store.put([incident("i1", 1100, { revision: 6, status: "acknowledged" })], { visibleNow: true });
    expect(await store.get("i1")).toMatchObject({ revision: 6, status: "acknowledged" });
    expect(await store.get("missing")).toBeNull();
  });

  it("pages the most recently active first and filters by status, rule, subject and time", async () => {
    await store.put(
      [
        incident("i2", 2000),
        incident("i3", 3000, { rule: "keyword", subject: "kernel", status: "resolved" }),
        incident("i4", 3000),
      ],
      { visibleNow: true },
    );
    const first = await store.search({ size: 2 });
    expect(first.items.map((i) => i.id)).toEqual(["i4", "i3"]);
    expect(first.total).toBe(4);
    const second = await store.search({ size: 2, cursor: first.next_cursor ?? "" });
    expect(second.items.map((i) => i.id)).toEqual(["i2", "i1"]);
    expect((await store.search({ size: 10, status: ["new"] })).items.map((i) => i.id)).toEqual(["i4", "i2"]);
    expect((await store.search({ size: 10, rule: ["keyword"], subject: "kernel" })).items.map((i) => i.id)).toEqual([
      "i3",
    ]);
    expect((await store.search({ size: 10, from: 1500, to: 2500 })).items.map((i) => i.id)).toEqual(["i2"]);
  });
}

describe("in-memory incident store", () => incidentStoreContract(async () => createMemoryIncidentStore()));

describe.skipIf(missingInfra("elasticsearchUrl"))("Elasticsearch incident store on a real server", () => {
  const stores: ReturnType<typeof createElasticsearchIncidentStore>[] = [];
  afterAll(async () => {
    for (const s of stores) {
      const cleaner = createElasticsearchIncidentStore({
        url: realInfra.elasticsearchUrl ?? "",
        index: s.index.replace(/-incidents$/, ""),
      });
      await cleaner.drop();
      await cleaner.close();
    }
  });
  incidentStoreContract(async () => {
    const store = createElasticsearchIncidentStore({
      url: realInfra.elasticsearchUrl ?? "",
      index: uniqueName("incidents-test"),
    });
    stores.push(store);
    await store.ensureReady();
    return store;
  });
});
