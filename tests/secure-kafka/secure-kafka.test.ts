/**
 * The SASL_SSL broker of scripts/infra/kafka-secure.sh (SCRAM users, test CA, StandardAuthorizer
 * with pipelineAcls): the bus contract, authentication and trust, and what the ACLs refuse (H2's
 * whitelist attack, forged alerts). The pipeline's own scenarios on it are in tests/e2e; the
 * operator's principal and a broker restart have files of their own here.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BusUnavailableError, type IncomingMessage } from "@soc/shared";
import type { KafkaBus, KafkaSecurity } from "@soc/shared/kafka";
import { busContract, eventually, missingInfra, uniqueName } from "@soc/shared/testing";
import { connectSecure, scram, SECURE_KAFKA, type Principal } from "../e2e/kafka-targets.ts";
import { api, createRealPipeline, type RealPipeline } from "../e2e/real-pipeline.ts";

const skip = SECURE_KAFKA.missing;
const connect = (user: Principal, clientId: string, security = scram(user)): KafkaBus =>
  connectSecure(clientId, security);
/** Every principal but the API's and the operator's: none may write config-updates. */
const ATTACKERS = ["alerter", "collector", "worker", "scanner"] as const;
const WHITELIST_ALL = { key: "0.0.0.0/0", value: JSON.stringify({ action: "add", ip: "0.0.0.0/0" }) };

describe.skipIf(skip)("Kafka bus over SASL_SSL with SCRAM-SHA-512", () => {
  busContract(async () => {
    const bus = connect("admin", uniqueName("contract"));
    return {
      bus,
      async createTopic(prefix) {
        const topic = uniqueName(`contract-${prefix}`);
        await bus.ensureTopics([{ topic, partitions: 1, config: {} }]);
        return topic;
      },
    };
  });
});

describe.skipIf(skip)("authentication and trust on the SASL_SSL listener", () => {
  const refusal = async (security: KafkaSecurity): Promise<string> => {
    const bus = connect("api", uniqueName("auth"), security);
    try {
      const error = await bus.ping().then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(BusUnavailableError);
      return (error as Error).message;
    } finally {
      await bus.close();
    }
  };

  it("refuses a wrong password, saying SASL authentication failed", async () => {
    expect(await refusal(scram("api", { password: "not-the-password" }))).toMatch(
      /SASL authentication failed .*check KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD/,
    );
  });

  it("refuses a broker whose certificate the client's CA did not sign, saying TLS", async () => {
    expect(await refusal(scram("api", { ca: null }))).toMatch(
      /^Kafka is unreachable: TLS: the broker's certificate is not trusted \(connecting to Kafka timed out .*last error: .*self-signed certificate in certificate chain\); check KAFKA_SSL_CA_FILE$/,
    );
  });

  it("authenticates with SCRAM-SHA-256 as well", async () => {
    const bus = connect("api", uniqueName("sha256"), scram("api", { mechanism: "SCRAM-SHA-256" }));
    await bus.ping();
    await bus.close();
  });
});

describe.skipIf(skip || missingInfra("elasticsearchUrl") || missingInfra("redisUrl"))(
  "the pipeline over SASL_SSL with least-privilege ACLs",
  () => {
    let pipeline: RealPipeline;
    let call: ReturnType<typeof api>;
    let apiWhitelist: () => string[];
    let workerWhitelist: () => string[];

    beforeAll(async () => {
      pipeline = await createRealPipeline(SECURE_KAFKA);
      const started = await pipeline.startApi();
      call = api(started.url);
      apiWhitelist = started.whitelist;
      const worker = await pipeline.startWorker();
      workerWhitelist = () => worker.whitelist.entries();
    }, 120_000);
    afterAll(async () => {
      await pipeline?.close();
    });

    it.each(ATTACKERS)(
      "refuses 0.0.0.0/0 on config-updates from the %s principal; no replica applies it",
      async (user) => {
        const attacker = connect(user, uniqueName(`${user}-attack`));
        try {
          const error = await attacker.publish(pipeline.topics.configUpdates, [WHITELIST_ALL]).then(
            () => null,
            (e: unknown) => e,
          );
          expect(error).toBeInstanceOf(BusUnavailableError);
          expect((error as Error).message).toMatch(
            /not authorized by the broker's ACLs \((TOPIC|CLUSTER)_AUTHORIZATION_FAILED\)/,
          );
        } finally {
          await attacker.close();
        }
        // A later, authorised update is applied; the attack, published before it, never was.
        const marker = `192.0.2.${ATTACKERS.indexOf(user) + 1}`;
        expect((await call("/whitelist", { method: "POST", body: JSON.stringify({ ip: marker }) })).status).toBe(201);
        await eventually(() => expect(workerWhitelist()).toContain(marker), { timeoutMs: 10_000 });
        expect(workerWhitelist()).not.toContain("0.0.0.0/0");
        expect(apiWhitelist()).not.toContain("0.0.0.0/0");
        const onTopic: IncomingMessage[] = [];
        await (await pipeline.admin.follow(pipeline.topics.configUpdates, (message) => onTopic.push(message))).stop();
        expect(onTopic.map((m) => m.key)).not.toContain("0.0.0.0/0");
      },
      30_000,
    );

    it.each(["alerter", "collector"] as const)(
      "refuses a forged alert on high-priority-alerts from the %s principal",
      async (user) => {
        const attacker = connect(user, uniqueName(`${user}-forge`));
        try {
          const forged = {
            key: "6.6.6.6",
            value: JSON.stringify({ type: "credential_leak", details: { url: "https://evil.example" } }),
          };
          await expect(attacker.publish(pipeline.topics.highPriorityAlerts, [forged])).rejects.toThrow(
            /not authorized by the broker's ACLs/,
          );
        } finally {
          await attacker.close();
        }
      },
      30_000,
    );
  },
);
