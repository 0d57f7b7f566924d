/**
 * The operator on Kafka as the pipeline's deputy, not a confused one: a broker outside the
 * operator's allow-list is refused before any connection (a loopback listener counts the
 * connections it accepts), a broker cannot redirect it with the addresses it advertises, and a
 * pipeline's own SASL credentials are what the operator writes config-updates with on the real
 * SASL_SSL broker, so that broker's ACLs decide.
 */
import { readFileSync } from "node:fs";
import { createServer, type AddressInfo, type Server } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pipelineTopicSpecs, Secret, silentLogger, type ConfigUpdate, type PipelineTopics } from "@soc/shared";
import { createKafkaBus, type AclBinding, type KafkaBus } from "@soc/shared/kafka";
import { kafkaSecurePassword, missingInfra, realInfra } from "@soc/shared/testing";
import type { KubeObject } from "../src/kube/client.ts";
import { brokerPolicyOf, parseBrokerRule, type BrokerRule } from "../src/kafka/broker-policy.ts";
import {
  applyCrds,
  applyYaml,
  createNamespace,
  deleteNamespace,
  eventually,
  getJson,
  kubectlOk,
  missingKafka,
  missingKube,
  pipelineManifest,
  startOperator,
  type InProcessOperator,
} from "./harness.ts";

type Condition = { type: string; status: string; reason: string; message: string };
type WithConditions = KubeObject & { status?: { conditions?: Condition[] } };

const condition = (namespace: string, resource: string, type: string): Condition | undefined =>
  getJson<WithConditions>(namespace, resource).status?.conditions?.find((c) => c.type === type);
const eventsOf = (namespace: string, name: string, reason: string): { message: string }[] =>
  (
    JSON.parse(
      kubectlOk([
        "get",
        "events",
        "-n",
        namespace,
        "--field-selector",
        `involvedObject.name=${name},reason=${reason}`,
        "-o",
        "json",
      ]),
    ) as { items: { message: string }[] }
  ).items;
const whitelist = (name: string, pipeline: string, ips: string[]): KubeObject => ({
  apiVersion: "socpipeline.io/v1alpha1",
  kind: "IpWhitelist",
  metadata: { name },
  spec: { pipelineRef: { name: pipeline }, entries: ips.map((ip) => ({ ip })) },
});
const rules = (...entries: string[]): BrokerRule[] => entries.map((entry) => parseBrokerRule(entry) as BrokerRule);
const topicsFor = (prefix: string): PipelineTopics => ({
  logs: `${prefix}-logs`,
  configUpdates: `${prefix}-config-updates`,
  highPriorityAlerts: `${prefix}-alerts`,
});

/** Topics under this prefix are the only ones these tests get ACLs for, so the shared broker's other users are untouched. */
const SECURE_PREFIX = "op-principal-";
const secureBroker = realInfra.kafkaSecureBroker ?? "";
const missingSecureKafka = (): boolean => missingInfra("kafkaSecureBroker") || missingInfra("kafkaSecureCaFile");

describe.skipIf(missingKube() || missingKafka())(
  "the operator's Kafka access on a real API server and real Kafka",
  () => {
    let namespace: string;
    let running: InProcessOperator;
    let listener: Server;
    let listenerPort = 0;
    let accepted = 0;
    const plainBroker = realInfra.kafkaBroker ?? "";
    const plainPort = plainBroker.split(":")[1] ?? "";

    beforeAll(async () => {
      applyCrds();
      namespace = createNamespace("kafka-access");
      listener = createServer((socket) => {
        accepted++;
        socket.destroy();
      });
      await new Promise<void>((resolve) => listener.listen(0, "127.0.0.1", resolve));
      listenerPort = (listener.address() as AddressInfo).port;
      // What a cluster admin would set: the platform's brokers, by the names they are known under.
      const policy = brokerPolicyOf({
        KAFKA_BROKER_ALLOWLIST: rules(
          `localhost:${plainPort}`,
          secureBroker === "" ? "kafka.platform.svc:9092" : secureBroker,
        ),
        KAFKA_BROKERS_IN_NAMESPACE: false,
      });
      running = await startOperator(namespace, undefined, { brokerPolicy: policy });
    });
    afterAll(async () => {
      await running?.stop();
      await new Promise((resolve) => listener?.close(resolve));
      deleteNamespace(namespace);
    });

    it("refuses a broker outside the allow-list before connecting: condition, Event, and not one connection", async () => {
      applyYaml(
        [
          pipelineManifest("elsewhere", namespace, {
            kafka: { brokers: [`127.0.0.1:${listenerPort}`], topics: topicsFor(`${namespace}-elsewhere`) },
            worker: { autoscaling: { enabled: false } },
          }),
          whitelist("elsewhere-office", "elsewhere", ["203.0.113.0/24"]),
        ],
        namespace,
      );
      await eventually(
        () => {
          const kafka = condition(namespace, "socpipeline/elsewhere", "KafkaReady");
          expect(kafka).toMatchObject({ status: "False", reason: "BrokerNotAllowed" });
          expect(kafka?.message).toContain(
            `127.0.0.1:${listenerPort} are outside the operator's Kafka broker allow-list`,
          );
          expect(kafka?.message).toContain(`allowed: localhost:${plainPort}`);
          // Only a spec change can help: Flux and kubectl wait see a failure, not a rollout.
          expect(condition(namespace, "socpipeline/elsewhere", "Stalled")).toMatchObject({
            status: "True",
            reason: "BrokerNotAllowed",
          });
          expect(condition(namespace, "ipwhitelist/elsewhere-office", "Ready")).toMatchObject({
            status: "False",
            reason: "PublishFailed",
          });
          expect(eventsOf(namespace, "elsewhere", "BrokerNotAllowed").length).toBeGreaterThan(0);
        },
        { timeoutMs: 30_000, intervalMs: 500 },
      );
      // Resyncs and the autoscaler's loop (left stopped) would have connected by now too.
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      expect(accepted).toBe(0);
    }, 60_000);

    it("does not follow a broker's advertised address outside the allow-list, and tells only that it could not connect", async () => {
      // localhost is allowed; the broker advertises itself as 127.0.0.1, which is not.
      const topics = topicsFor(`${namespace}-redirect`);
      applyYaml(
        [
          pipelineManifest("redirect", namespace, {
            kafka: { brokers: [`localhost:${plainPort}`], topics },
            worker: { autoscaling: { enabled: false } },
          }),
        ],
        namespace,
      );
      await eventually(
        () => {
          const kafka = condition(namespace, "socpipeline/redirect", "KafkaReady");
          expect(kafka).toMatchObject({ status: "False", reason: "KafkaUnreachable" });
          // The same words as for a closed port or a timeout: status is no port scanner.
          expect(kafka?.message).toBe(
            "could not complete the request to the Kafka brokers of spec.kafka.brokers (the operator's log has the cause)",
          );
        },
        { timeoutMs: 45_000, intervalMs: 500 },
      );
      const admin = createKafkaBus({ brokers: [plainBroker], clientId: `${namespace}-admin`, logger: silentLogger() });
      try {
        expect(await admin.partitionCount(topics.logs)).toBeNull();
      } finally {
        await admin.close();
      }
    }, 90_000);

    describe.skipIf(missingSecureKafka())("with the pipeline's own credentials on the SASL_SSL broker", () => {
      let admin: KafkaBus;
      const ca = (): string => readFileSync(realInfra.kafkaSecureCaFile ?? "", "utf8");
      const sasl = (user: string) => ({
        mechanism: "SCRAM-SHA-512",
        username: user,
        passwordSecretRef: { name: `kafka-${user}`, key: "password" },
      });
      const securePipeline = (name: string, user: string, topics: PipelineTopics): KubeObject =>
        pipelineManifest(name, namespace, {
          kafka: {
            brokers: [secureBroker],
            topics,
            sasl: sasl(user),
            tls: { caSecretRef: { name: "kafka-ca", key: "ca.crt" } },
          },
          worker: { autoscaling: { enabled: false } },
        });

      beforeAll(async () => {
        admin = createKafkaBus({
          brokers: [secureBroker],
          clientId: `${namespace}-admin`,
          logger: silentLogger(),
          security: {
            protocol: "SASL_SSL",
            sasl: { mechanism: "SCRAM-SHA-512", username: "admin", password: new Secret(kafkaSecurePassword("admin")) },
            tls: { ca: ca() },
          },
        });
        const prefixed = (principal: string, operation: AclBinding["operation"]): AclBinding => ({
          principal,
          resource: "topic",
          name: SECURE_PREFIX,
          pattern: "prefixed",
          operation,
        });
        // The operator's ACLs of docs/kubernetes.md, for User:operator; User:worker may read and describe, not write.
        await admin.ensureAcls([
          ...(["create", "describe", "read", "write"] as const).map((operation) =>
            prefixed("User:operator", operation),
          ),
          ...(["describe", "read"] as const).map((operation) => prefixed("User:worker", operation)),
          {
            principal: "User:worker",
            resource: "group",
            name: "soc-operator-test-",
            pattern: "prefixed",
            operation: "read",
          },
        ]);
        const secrets = ["operator", "worker"].map((user) => ({
          apiVersion: "v1",
          kind: "Secret",
          metadata: { name: `kafka-${user}` },
          stringData: { password: kafkaSecurePassword(user) },
        }));
        applyYaml(
          [
            ...secrets,
            { apiVersion: "v1", kind: "Secret", metadata: { name: "kafka-ca" }, stringData: { "ca.crt": ca() } },
          ],
          namespace,
        );
      });
      afterAll(async () => {
        await admin?.close();
      });

      it("publishes the IpWhitelist to config-updates as the pipeline's principal, which its ACLs allow", async () => {
        const topics = topicsFor(`${SECURE_PREFIX}${namespace}-ok`);
        applyYaml(
          [
            securePipeline("as-operator", "operator", topics),
            whitelist("as-operator-office", "as-operator", ["198.51.100.0/24"]),
          ],
          namespace,
        );
        await eventually(
          () => {
            expect(condition(namespace, "ipwhitelist/as-operator-office", "Ready")).toMatchObject({
              status: "True",
              reason: "Published",
            });
            expect(condition(namespace, "socpipeline/as-operator", "KafkaReady")).toMatchObject({
              status: "True",
              reason: "Connected",
              message: "Topics ensured and whitelist published as User:operator",
            });
          },
          { timeoutMs: 60_000, intervalMs: 500 },
        );
        const onTopic: ConfigUpdate[] = [];
        const follower = await admin.follow(topics.configUpdates, (message) =>
          onTopic.push(JSON.parse(message.value ?? "null") as ConfigUpdate),
        );
        await follower.stop();
        expect(onTopic).toEqual([
          { action: "add", ip: "198.51.100.0/24", owner: `IpWhitelist ${namespace}/as-operator-office` },
        ]);
      }, 90_000);

      it("fails with a clear condition when the pipeline's principal may not write config-updates, and writes nothing", async () => {
        const topics = topicsFor(`${SECURE_PREFIX}${namespace}-denied`);
        // The topics exist (created by an admin); what the principal lacks is the right to write.
        await admin.ensureTopics(pipelineTopicSpecs(topics));
        applyYaml(
          [securePipeline("as-worker", "worker", topics), whitelist("as-worker-office", "as-worker", ["192.0.2.0/24"])],
          namespace,
        );
        await eventually(
          () => {
            const kafka = condition(namespace, "socpipeline/as-worker", "KafkaReady");
            expect(kafka).toMatchObject({ status: "False", reason: "NotAuthorized" });
            expect(kafka?.message).toContain("Kafka's ACLs refused User:worker (TOPIC_AUTHORIZATION_FAILED)");
            const ready = condition(namespace, "ipwhitelist/as-worker-office", "Ready");
            expect(ready).toMatchObject({ status: "False", reason: "PublishFailed" });
            expect(ready?.message).toContain("User:worker");
            expect(eventsOf(namespace, "as-worker", "WhitelistPublishFailed").length).toBeGreaterThan(0);
          },
          { timeoutMs: 60_000, intervalMs: 500 },
        );
        const onTopic: ConfigUpdate[] = [];
        const follower = await admin.follow(topics.configUpdates, (message) =>
          onTopic.push(JSON.parse(message.value ?? "null") as ConfigUpdate),
        );
        await follower.stop();
        expect(onTopic).toEqual([]);
      }, 90_000);
    });
  },
);
