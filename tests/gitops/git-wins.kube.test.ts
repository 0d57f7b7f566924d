/**
 * Git wins: an entry an IpWhitelist publishes cannot be changed through the API (409), and one
 * changed behind the operator's back, straight on the topic, is put back within one resync.
 * Real API server (HTTP, real Kafka), real operator on a real API server.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApi, type TestApi } from "@soc/api/testing";
import { pipelineTopicSpecs, silentLogger, whitelistUpdateMessage } from "@soc/shared";
import { createKafkaBus, type KafkaBus } from "@soc/shared/kafka";
import { realInfra } from "@soc/shared/testing";
import {
  applyCrds,
  applyYaml,
  createNamespace,
  deleteNamespace,
  eventually,
  missingKafka,
  missingKube,
  pipelineManifest,
  startOperator,
  type InProcessOperator,
} from "../../operator/test/harness.ts";

const RESYNC_SECONDS = 3;

describe.skipIf(missingKube() || missingKafka())("GitOps-managed whitelist entries on real Kafka", () => {
  let namespace: string;
  let bus: KafkaBus;
  let api: TestApi;
  let running: InProcessOperator | null = null;
  const topics = (): { logs: string; configUpdates: string; highPriorityAlerts: string } => ({
    logs: `${namespace}-logs`,
    configUpdates: `${namespace}-config-updates`,
    highPriorityAlerts: `${namespace}-alerts`,
  });
  const owner = (): string => `IpWhitelist ${namespace}/office`;
  const entries = async (): Promise<unknown> =>
    ((await (await api.request("/whitelist", { key: "read" })).json()) as { entries: unknown }).entries;

  beforeAll(async () => {
    applyCrds();
    namespace = createNamespace("gitwins");
    bus = createKafkaBus({
      brokers: [realInfra.kafkaBroker ?? ""],
      clientId: `${namespace}-test`,
      logger: silentLogger(),
    });
    await bus.ensureTopics(pipelineTopicSpecs(topics()));
    api = await startTestApi({ bus, topics: topics() });
    applyYaml([pipelineManifest("wl", namespace, { worker: { autoscaling: { enabled: false } } })], namespace);
    running = await startOperator(namespace, undefined, { resyncSeconds: RESYNC_SECONDS });
    applyYaml(
      [
        {
          apiVersion: "socpipeline.io/v1alpha1",
          kind: "IpWhitelist",
          metadata: { name: "office" },
          spec: { pipelineRef: { name: "wl" }, entries: [{ ip: "192.0.2.10" }, { ip: "10.0.0.0/8" }] },
        },
      ],
      namespace,
    );
    await eventually(
      async () =>
        expect(await entries()).toEqual([
          { ip: "10.0.0.0/8", owner: owner() },
          { ip: "192.0.2.10", owner: owner() },
        ]),
      { timeoutMs: 30_000 },
    );
  });
  afterAll(async () => {
    await running?.stop();
    await api?.close();
    await bus?.close();
    deleteNamespace(namespace);
  });

  it("refuses to delete or re-add through the API an entry an IpWhitelist owns, naming it", async () => {
    for (const [path, init] of [
      ["/whitelist/192.0.2.10", { method: "DELETE" }],
      ["/whitelist/10.0.0.0%2F8", { method: "DELETE" }],
      ["/whitelist", { method: "POST", body: JSON.stringify({ ip: "192.0.2.10" }) }],
    ] as const) {
      const response = await api.request(path, init);
      expect(response.status).toBe(409);
      const error = (await response.json()) as { detail: string; code: string };
      expect(error).toMatchObject({ code: "conflict" });
      expect(error.detail).toContain(owner());
      expect(error.detail).toContain("Git");
    }
    expect(await entries()).toEqual([
      { ip: "10.0.0.0/8", owner: owner() },
      { ip: "192.0.2.10", owner: owner() },
    ]);
    // The API's own entries are still the API's to change.
    expect(
      (await api.request("/whitelist", { method: "POST", body: JSON.stringify({ ip: "198.51.100.1" }) })).status,
    ).toBe(201);
    expect((await api.request("/whitelist/198.51.100.1", { method: "DELETE" })).status).toBe(200);
  });

  it("puts back, within one resync, an entry removed or re-owned straight on the topic", async () => {
    // What an API replica older than owners, or anyone with produce rights, could do.
    await bus.publish(topics().configUpdates, [
      whitelistUpdateMessage({ action: "remove", ip: "192.0.2.10" }),
      whitelistUpdateMessage({ action: "add", ip: "10.0.0.0/8", owner: "api" }),
    ]);
    await eventually(async () => expect(await entries()).toEqual([{ ip: "10.0.0.0/8", owner: "api" }]), {
      timeoutMs: 10_000,
    });
    const tamperedAt = Date.now();
    await eventually(
      async () =>
        expect(await entries()).toEqual([
          { ip: "10.0.0.0/8", owner: owner() },
          { ip: "192.0.2.10", owner: owner() },
        ]),
      {
        timeoutMs: 30_000,
        intervalMs: 200,
      },
    );
    // One resync period, plus a reconcile and the round trip through Kafka.
    expect(Date.now() - tamperedAt).toBeLessThan((RESYNC_SECONDS + 5) * 1000);
  });

  it("leaves the API's own entries alone", async () => {
    expect(
      (await api.request("/whitelist", { method: "POST", body: JSON.stringify({ ip: "203.0.113.9" }) })).status,
    ).toBe(201);
    await new Promise((resolve) => setTimeout(resolve, (RESYNC_SECONDS + 2) * 1000));
    expect(await entries()).toContainEqual({ ip: "203.0.113.9", owner: "api" });
  });
});
