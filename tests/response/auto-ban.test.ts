// Automatic bans on the real servers: an alert on Kafka's high-priority-alerts becomes a ban in
// Redis that a bouncer pulls through the API; a redelivered or whitelisted one bans nothing more.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { silentLogger, Whitelist, type HighPriorityAlert, type Subscription } from "@soc/shared";
import { createKafkaBus, type KafkaBus } from "@soc/shared/kafka";
import { createRegistry } from "@soc/shared/telemetry";
import { eventually, missingInfra, realInfra, uniqueName } from "@soc/shared/testing";
import { startTestApi, TEST_KEYS, type TestApi } from "@soc/api/testing";
import { startAutoBan } from "../../services/api/src/decisions/auto-ban-consumer.ts";
import { autoBanRulesSetting } from "../../services/api/src/decisions/auto-ban.ts";
import { createRedisDecisionStore } from "../../services/api/src/decisions/redis-store.ts";
import type { DecisionStore } from "../../services/api/src/decisions/store.ts";

const alert = (source_ip: string, alert_id: string): HighPriorityAlert => ({
  schema_version: 1,
  alert_id,
  type: "brute_force",
  severity: "high",
  summary: `Brute-force attempt detected from ${source_ip} (5 attempts).`,
  detected_at: Date.now() / 1000,
  source_ip,
  count: 5,
  window_seconds: 300,
  first_seen: null,
  last_seen: null,
  log_id: alert_id,
  details: { pattern: "sshd" },
});

describe.skipIf(missingInfra("kafkaBroker") || missingInfra("redisUrl"))("automatic bans from Kafka into Redis", () => {
  const topic = uniqueName("high-priority-alerts");
  let bus: KafkaBus;
  let decisions: DecisionStore;
  let subscription: Subscription | null;
  let api: TestApi;

  beforeAll(async () => {
    bus = createKafkaBus({
      brokers: [realInfra.kafkaBroker ?? ""],
      clientId: uniqueName("auto-ban"),
      logger: silentLogger(),
    });
    await bus.ensureTopics([{ topic, partitions: 3, config: {} }]);
    decisions = createRedisDecisionStore({ url: realInfra.redisUrl ?? "", keyPrefix: `soc:${uniqueName("ns")}/shop:` });
    subscription = await startAutoBan({
      bus,
      decisions,
      whitelist: new Whitelist(["192.0.2.10"]),
      rules: autoBanRulesSetting.parse(undefined),
      logger: silentLogger(),
      registry: createRegistry("auto-ban-kafka", { defaultMetrics: false }),
      topic,
      groupId: uniqueName("soc-api-auto-ban"),
    });
    api = await startTestApi({ decisions });
  }, 60_000);

  afterAll(async () => {
    await subscription?.stop();
    await api?.close();
    await decisions?.close();
    await bus?.close();
  });

  it("bans a brute force's source once, whatever the redelivery, and never a whitelisted one", async () => {
    const published = [
      alert("203.0.113.91", "logs-2-17"),
      alert("203.0.113.91", "logs-2-17"),
      alert("192.0.2.10", "logs-1-3"),
    ];
    await bus.publish(
      topic,
      published.map((value) => ({ key: value.source_ip, value: JSON.stringify(value) })),
    );
    const stream = async () =>
      (
        await fetch(`${api.url}/v1/decisions/stream?startup=true`, { headers: { "X-Api-Key": TEST_KEYS.bouncer } })
      ).json() as Promise<{ new: { value: string; origin: string }[] }>;
    await eventually(
      async () =>
        expect((await stream()).new.map((d) => [d.value, d.origin])).toEqual([["203.0.113.91", "rule:brute_force"]]),
      { timeoutMs: 30_000, intervalMs: 250 },
    );
    expect((await decisions.active(Date.now() / 1000)).map((ban) => [ban.ip, ban.alert_id])).toEqual([
      ["203.0.113.91", "logs-2-17"],
    ]);
  }, 60_000);
});
