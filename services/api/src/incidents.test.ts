import { afterAll, afterEach, describe, expect, it } from "vitest";
import {
  DEFAULT_INCIDENT_POLICY,
  latestStates,
  type IncidentAlert,
  type IncidentStore,
  type IncidentTracker,
  type LogStore,
  type ProcessedLog,
} from "@soc/shared";
import { createMemoryIncidentStore, createMemoryIncidentTracker, createMemoryStore } from "@soc/shared/memory";
import { createElasticsearchIncidentStore, createElasticsearchStore } from "@soc/shared/elasticsearch";
import { createRedisIncidentTracker } from "@soc/shared/redis";
import { missingInfra, realInfra, uniqueName } from "@soc/shared/testing";
import { startTestApi, type TestApi } from "./testing.ts";

interface Backends {
  store: LogStore;
  incidents: { store: IncidentStore; tracker: IncidentTracker };
}

const ATTACKER = "183.62.140.253";
const alertDoc = (id: string, timestamp: number): ProcessedLog => ({
  id,
  message: `Dec 10 10:54:27 LabSZ sshd[24868]: Failed password for root from ${ATTACKER} port 4${id.length} ssh2`,
  timestamp,
  status: "new",
  is_anomaly: true,
  reason: `Brute-force attempt detected from ${ATTACKER} (5 attempts).`,
  source_ip: ATTACKER,
  rule: "brute_force",
  source: "sshd",
  severity: "high",
});
const asAlert = (doc: ProcessedLog, offset: number): IncidentAlert => ({
  alertId: doc.id,
  rule: "brute_force",
  subject: ATTACKER,
  timeSeconds: doc.timestamp,
  severity: "high",
  events: 5,
  reason: doc.reason ?? "",
  source: "sshd",
  sourceIp: ATTACKER,
  position: { stream: "logs-0", offset },
});

/** What the worker does with a batch: place the alerts, store them with their incident, store the incidents. */
async function ingest({ store, incidents }: Backends, docs: ProcessedLog[], firstOffset: number): Promise<void> {
  const placed = await incidents.tracker.place(docs.map((doc, i) => asAlert(doc, firstOffset + i)));
  await store.bulkIndex(
    docs.map((doc, i) => ({
      ...doc,
      incident_id: placed[i]?.incident.id,
      status: placed[i]?.incident.status ?? "new",
    })),
  );
  await incidents.store.put(latestStates(placed));
}

function incidentsApi(makeBackends: () => Promise<Backends>): void {
  let api: TestApi | undefined;
  afterEach(async () => {
    await api?.close();
  });

  it("lists incidents, shows one and its alerts, and triages all its alerts with it", async () => {
    const backends = await makeBackends();
    const docs = [0, 60, 120].map((t) => alertDoc(uniqueName("logs-0"), 1_765_000_000 + t));
    await ingest(backends, docs, 0);
    api = await startTestApi({ store: backends.store, incidents: backends.incidents });
    const { request } = api;

    const list = await request(`/incidents?rule=brute_force&subject=${ATTACKER}`, { key: "read" });
    expect(list.status).toBe(200);
    const [incident] = (await list.json()) as { id: string }[];
    expect(incident).toMatchObject({
      rule: "brute_force",
      subject: ATTACKER,
      status: "new",
      alerts: 3,
      events: 15,
      first_seen: 1_765_000_000,
      last_seen: 1_765_000_120,
    });
    const id = incident?.id ?? "";
    expect(await (await request(`/incidents/${id}`, { key: "read" })).json()).toMatchObject({ id, alerts: 3 });
    const alerts = (await (await request(`/alerts?incident_id=${id}`, { key: "read" })).json()) as ProcessedLog[];
    expect(alerts.map((a) => a.id).sort()).toEqual(docs.map((d) => d.id).sort());

    expect(
      (
        await request(`/incidents/${id}`, {
          method: "PATCH",
          key: "read",
          body: JSON.stringify({ status: "resolved" }),
          headers: { "content-type": "application/json" },
        })
      ).status,
    ).toBe(403);
    const patch = await request(`/incidents/${id}`, {
      method: "PATCH",
      key: "admin",
      body: JSON.stringify({ status: "resolved" }),
      headers: { "content-type": "application/json" },
    });
    expect(await patch.json()).toEqual({ status: "Incident status updated successfully", alerts: 3 });
    expect(await (await request(`/incidents/${id}`, { key: "read" })).json()).toMatchObject({ status: "resolved" });
    const triaged = (await (await request(`/alerts?incident_id=${id}`, { key: "read" })).json()) as ProcessedLog[];
    expect(triaged.map((a) => a.status)).toEqual(["resolved", "resolved", "resolved"]);

    // The attacker comes back: a resolved incident takes no more alerts, a new one opens.
    await ingest(backends, [alertDoc(uniqueName("logs-0"), 1_765_000_200)], 3);
    const after = (await (await request(`/incidents?subject=${ATTACKER}&status=new`, { key: "read" })).json()) as {
      id: string;
      alerts: number;
    }[];
    expect(after).toHaveLength(1);
    expect(after[0]?.id).not.toBe(id);
  });

  it("answers 404 for an unknown incident and 400 for a bad status or cursor", async () => {
    const backends = await makeBackends();
    api = await startTestApi({ store: backends.store, incidents: backends.incidents });
    const { request } = api;
    expect((await request("/incidents/nope", { key: "read" })).status).toBe(404);
    const bad = await request("/incidents/nope", {
      method: "PATCH",
      key: "admin",
      body: JSON.stringify({ status: "closed" }),
      headers: { "content-type": "application/json" },
    });
    expect(bad.status).toBe(400);
    expect((await request("/incidents?cursor=garbage", { key: "read" })).status).toBe(400);
    expect((await request("/incidents?status=open", { key: "read" })).status).toBe(400);
  });
}

describe("GET/PATCH /incidents in memory", () => {
  incidentsApi(async () => ({
    store: createMemoryStore(),
    incidents: { store: createMemoryIncidentStore(), tracker: createMemoryIncidentTracker(DEFAULT_INCIDENT_POLICY) },
  }));
  it("answers 503 when the API keeps no incidents", async () => {
    const api = await startTestApi();
    expect((await api.request("/incidents", { key: "read" })).status).toBe(503);
    await api.close();
  });
});

describe.skipIf(missingInfra("redisUrl") || missingInfra("elasticsearchUrl"))(
  "GET/PATCH /incidents on real Elasticsearch and Redis",
  () => {
    const opened: { drop(): Promise<void>; close(): Promise<void> }[] = [];
    const closers: { close(): Promise<void> }[] = [];
    afterAll(async () => {
      for (const store of opened) await store.drop();
      await Promise.all([...opened, ...closers].map((c) => c.close()));
    });
    incidentsApi(async () => {
      const index = uniqueName("api-incidents");
      const url = realInfra.elasticsearchUrl ?? "";
      const store = createElasticsearchStore({ url, index, refreshOnWrite: true });
      const incidentStore = createElasticsearchIncidentStore({ url, index, refreshOnWrite: true });
      await Promise.all([store.ensureReady(), incidentStore.ensureReady()]);
      const tracker = createRedisIncidentTracker({
        url: realInfra.redisUrl ?? "",
        keyPrefix: `${uniqueName("soc")}:`,
        policy: DEFAULT_INCIDENT_POLICY,
      });
      opened.push({ drop: () => store.dropIndices(), close: () => store.close() }, incidentStore);
      closers.push(tracker);
      return { store, incidents: { store: incidentStore, tracker } };
    });
  },
);
