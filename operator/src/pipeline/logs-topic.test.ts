// The reconcile's topic step against the real Kafka: a new logs topic gets the spec's partitions,
// a higher maxReplicas raises them, a lower spec leaves them (Kafka cannot remove partitions) and
// says so once, in status and as a Warning Event.
import { afterAll, describe, expect, it } from "vitest";
import { silentLogger } from "@soc/shared";
import { createKafkaBus, type KafkaBus } from "@soc/shared/kafka";
import { missingInfra, realInfra, uniqueName } from "@soc/shared/testing";
import { socPipelineObject, type SocPipeline } from "../api/v1alpha1/index.ts";
import type { KubeObject } from "../kube/client.ts";
import { BusPool } from "../kafka/bus-pool.ts";
import { reconcileLogsPartitions } from "./logs-topic.ts";

const brokers = [realInfra.kafkaBroker ?? ""];

describe.skipIf(missingInfra("kafkaBroker"))("the logs topic step on a real Kafka", () => {
  const pool = new BusPool(silentLogger());
  const client = () => createKafkaBus({ brokers, clientId: "logs-topic-test", logger: silentLogger() });
  const admin: KafkaBus = createKafkaBus({ brokers, clientId: "logs-topic-test-admin", logger: silentLogger() });
  afterAll(async () => {
    await pool.close();
    await admin.close();
  });

  const events: { type: string; reason: string; message: string }[] = [];
  const recorder = {
    record: (_object: KubeObject, type: string, reason: string, message: string) =>
      void events.push({ type, reason, message }),
  };
  const name = uniqueName("parts");
  const topics = { logs: `${name}-logs`, configUpdates: `${name}-config`, highPriorityAlerts: `${name}-alerts` };
  const pipeline = (kafka: Record<string, unknown>, maxReplicas: number, status?: SocPipeline["status"]): SocPipeline =>
    socPipelineObject.parse({
      apiVersion: "socpipeline.io/v1alpha1",
      kind: "SocPipeline",
      metadata: { name: "shop", namespace: "soc", uid: "uid-1", generation: 1, resourceVersion: "1" },
      spec: {
        kafka: { brokers, topics, ...kafka },
        api: { apiKeysSecretRef: { name: "keys", key: "api" } },
        worker: { autoscaling: { maxReplicas } },
      },
      ...(status === undefined ? {} : { status }),
    });
  const step = (object: SocPipeline) =>
    reconcileLogsPartitions(
      object,
      (partitions) => pool.get("soc/shop", "test", client, topics, partitions),
      recorder,
      silentLogger(),
    );

  it("creates a new logs topic with the spec's partitions, before any service makes it with the default 6", async () => {
    const outcome = await step(pipeline({ logsPartitions: 3 }, 2));
    expect(outcome).toMatchObject({ partitions: 3, error: null, condition: { status: "True", reason: "AsDesired" } });
    expect(await admin.partitionCount(topics.logs)).toBe(3);
  });

  it("raises the partitions to the autoscaler's maxReplicas, and records an Event", async () => {
    const outcome = await step(pipeline({ logsPartitions: 3 }, 8));
    expect(outcome).toMatchObject({ partitions: 8, condition: { status: "True", reason: "Raised" } });
    expect(await admin.partitionCount(topics.logs)).toBe(8);
    expect(events).toEqual([
      {
        type: "Normal",
        reason: "PartitionsRaised",
        message: expect.stringContaining(`Raised topic ${topics.logs} from 3 to 8 partitions`) as unknown as string,
      },
    ]);
  });

  it("never lowers them: status says so, and the Warning is recorded once, not on every resync", async () => {
    events.length = 0;
    const first = await step(pipeline({ logsPartitions: 4 }, 2));
    expect(first).toMatchObject({ partitions: 8, condition: { status: "False", reason: "CannotLower" } });
    expect(await admin.partitionCount(topics.logs)).toBe(8);
    const conditions = [{ ...first.condition, lastTransitionTime: "2026-11-27T10:00:00Z" }];
    await step(pipeline({ logsPartitions: 4 }, 2, { conditions }));
    expect(events.map((event) => [event.type, event.reason])).toEqual([["Warning", "PartitionsNotLowered"]]);
  });

  it("reports an unreachable Kafka in the condition instead of failing the reconcile, without saying how it failed", async () => {
    events.length = 0;
    const outcome = await reconcileLogsPartitions(
      pipeline({}, 2),
      () => Promise.reject(new Error("connect ECONNREFUSED 127.0.0.1:1")),
      recorder,
      silentLogger(),
    );
    expect(outcome).toMatchObject({
      partitions: null,
      condition: { status: "Unknown", reason: "KafkaUnavailable" },
      error: { reason: "KafkaUnreachable", permanent: false },
    });
    // Refused and timed out read the same: status must not make the operator a port scanner.
    for (const text of [outcome.condition.message, ...events.map((event) => event.message)])
      expect(text).not.toMatch(/ECONNREFUSED|127\.0\.0\.1/);
    expect(events.map((event) => [event.type, event.reason])).toEqual([["Warning", "KafkaUnreachable"]]);
  });
});
