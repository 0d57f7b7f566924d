/**
 * The pipeline on the SASL_SSL broker of scripts/infra/kafka-secure.sh (SCRAM users, test CA,
 * StandardAuthorizer with pipelineAcls): transport, authentication, and H2's whitelist attack.
 */
import { readFileSync } from "node:fs";
import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp, keyAccess } from "@soc/api";
import {
  BusUnavailableError,
  createElasticsearchStore,
  createKafkaBus,
  createRedisCounters,
  createRegistry,
  followWhitelist,
  pipelineAcls,
  pipelineTopicSpecs,
  Secret,
  silentLogger,
  type IncomingMessage,
  type KafkaBus,
  type KafkaSecurity,
  type ProcessedLog,
  type SaslMechanism,
} from "@soc/shared";
import { busContract, eventually, kafkaSecurePassword, missingInfra, realInfra, uniqueName } from "@soc/shared/testing";
import { createWorker, DEFAULT_KEYWORDS } from "@soc/worker";

const skip = missingInfra("kafkaSecureBroker") || missingInfra("kafkaSecureCaFile");
const broker = realInfra.kafkaSecureBroker ?? "";
const ca = skip ? "" : readFileSync(realInfra.kafkaSecureCaFile ?? "", "utf8");
const ADMIN_KEY = "secure-kafka-admin-key-0123456789";

const scram = (user: string, options: { mechanism?: SaslMechanism; password?: string; ca?: string | null } = {}): KafkaSecurity => ({
  protocol: "SASL_SSL",
  sasl: { mechanism: options.mechanism ?? "SCRAM-SHA-512", username: user, password: new Secret(options.password ?? kafkaSecurePassword(user)) },
  tls: options.ca === null ? {} : { ca: options.ca ?? ca },
});
const connect = (user: string, clientId: string, security = scram(user)): KafkaBus =>
  createKafkaBus({ brokers: [broker], clientId, logger: silentLogger(), security, publishTimeoutMs: 4_000 });
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
      const error = await bus.ping().then(() => null, (e: unknown) => e);
      expect(error).toBeInstanceOf(BusUnavailableError);
      return (error as Error).message;
    } finally {
      await bus.close();
    }
  };

  it("refuses a wrong password, saying SASL authentication failed", async () => {
    expect(await refusal(scram("api", { password: "not-the-password" }))).toMatch(/SASL authentication failed .*check KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD/);
  });

  it("refuses a broker whose certificate the client's CA did not sign, saying TLS", async () => {
    expect(await refusal(scram("api", { ca: null }))).toMatch(/^Kafka is unreachable: TLS: the broker's certificate is not trusted \(connecting to Kafka timed out .*last error: .*self-signed certificate in certificate chain\); check KAFKA_SSL_CA_FILE$/);
  });

  it("authenticates with SCRAM-SHA-256 as well", async () => {
    const bus = connect("api", uniqueName("sha256"), scram("api", { mechanism: "SCRAM-SHA-256" }));
    await bus.ping();
    await bus.close();
  });
});

describe.skipIf(skip || missingInfra("elasticsearchUrl") || missingInfra("redisUrl"))("the pipeline over SASL_SSL with least-privilege ACLs", () => {
  const name = uniqueName("secure");
  const topics = { logs: `${name}-logs`, configUpdates: `${name}-config-updates`, highPriorityAlerts: `${name}-alerts` };
  const groupId = `soc-worker-${name}`;
  const admin = connect("admin", `${name}-admin`);
  const apiBus = connect("api", `soc-api-${name}`);
  const workerBus = connect("worker", `soc-worker-${name}-c`);
  const store = createElasticsearchStore({ url: realInfra.elasticsearchUrl ?? "", index: `${name}-processed-logs`, refreshOnWrite: true });
  const counters = createRedisCounters({ url: realInfra.redisUrl ?? "", keyPrefix: `${name}:` });
  const logger = silentLogger();
  const closers: (() => Promise<unknown>)[] = [];
  let url = "";
  let apiWhitelist: () => string[];
  let workerWhitelist: () => string[];

  beforeAll(async () => {
    await admin.ensureTopics(pipelineTopicSpecs(topics));
    await admin.ensureAcls(pipelineAcls(topics, { api: "User:api", worker: "User:worker", alerter: "User:alerter", collector: "User:collector", scanner: "User:scanner", operator: "User:operator" }));
    await store.ensureReady();
    const follower = await followWhitelist(apiBus, logger, topics.configUpdates);
    closers.push(() => follower.subscription.stop());
    apiWhitelist = () => follower.whitelist.entries();
    const app = createApp({
      bus: apiBus,
      store,
      whitelist: follower.whitelist,
      access: keyAccess([{ role: "admin", key: ADMIN_KEY }]),
      logger,
      registry: createRegistry("secure-api", { defaultMetrics: false }),
      frontendOrigins: [],
      maxBodyBytes: 1024 * 1024,
      readinessChecks: { kafka: () => apiBus.ping() },
      topics,
      workerGroupId: groupId,
    });
    const server = createServer(app.callback()).listen(0, "127.0.0.1");
    await once(server, "listening");
    closers.push(() => new Promise((resolve) => server.close(resolve)));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const detection = { keywords: DEFAULT_KEYWORDS, bruteForce: { threshold: 5, windowSeconds: 300 }, spike: { baselineMinutes: 60, minRequestsPerMinute: 30, sigma: 3 } };
    const worker = createWorker({ bus: workerBus, store, counters, detection, whitelistSeed: [], groupId, topics, logger, registry: createRegistry("secure-worker", { defaultMetrics: false }), lagPollMs: 60_000 });
    await worker.start();
    closers.push(() => worker.stop());
    workerWhitelist = () => worker.whitelist.entries();
  }, 120_000);

  afterAll(async () => {
    for (const close of closers.reverse()) await close().catch(() => undefined);
    await store.client.indices.delete({ index: store.index }).catch(() => undefined);
    await Promise.allSettled([apiBus.close(), workerBus.close(), admin.close(), store.close(), counters.close()]);
  });

  const call = (path: string, init: RequestInit = {}): Promise<Response> =>
    fetch(`${url}${path}`, { ...init, headers: { authorization: `Bearer ${ADMIN_KEY}`, "content-type": "application/json" } });

  it("takes POST /logs through the worker into the store, and raises a brute-force alert", async () => {
    const submit = (): Promise<Response> => call("/logs", { method: "POST", body: JSON.stringify({ message: `failed login attempt for user admin from 203.0.113.7 ${name}` }) });
    for (let i = 0; i < 5; i++) expect((await submit()).status).toBe(200);
    await eventually(async () => {
      const found = (await (await call("/alerts?is_anomaly=true&rule=brute_force")).json()) as ProcessedLog[];
      expect(found.map((alert) => alert.source_ip)).toEqual(["203.0.113.7"]);
    }, { timeoutMs: 30_000 });
    // The worker publishes the alert just after indexing the document.
    await eventually(async () => {
      const alerts: IncomingMessage[] = [];
      await (await admin.follow(topics.highPriorityAlerts, (message) => alerts.push(message))).stop();
      expect(alerts.map((m) => JSON.parse(m.value ?? "{}"))).toEqual([expect.objectContaining({ type: "brute_force", source_ip: "203.0.113.7" })]);
    }, { timeoutMs: 10_000 });
  }, 60_000);

  it("whitelists through the API (principal api), and every replica applies it", async () => {
    expect((await call("/whitelist", { method: "POST", body: JSON.stringify({ ip: "198.51.100.9" }) })).status).toBe(201);
    await eventually(() => {
      expect(workerWhitelist()).toContain("198.51.100.9");
      expect(apiWhitelist()).toContain("198.51.100.9");
    }, { timeoutMs: 10_000 });
  }, 30_000);

  it.each(["alerter", "collector", "worker", "scanner"])("refuses 0.0.0.0/0 on config-updates from the %s principal; no replica applies it", async (user) => {
    const attacker = connect(user, `${name}-${user}-attack`);
    try {
      const error = await attacker.publish(topics.configUpdates, [WHITELIST_ALL]).then(() => null, (e: unknown) => e);
      expect(error).toBeInstanceOf(BusUnavailableError);
      expect((error as Error).message).toMatch(/not authorized by the broker's ACLs \((TOPIC|CLUSTER)_AUTHORIZATION_FAILED\)/);
    } finally {
      await attacker.close();
    }
    // A later, authorised update is applied; the attack, published before it, never was.
    const marker = `192.0.2.${Math.floor(Math.random() * 250) + 1}`;
    expect((await call("/whitelist", { method: "POST", body: JSON.stringify({ ip: marker }) })).status).toBe(201);
    await eventually(() => expect(workerWhitelist()).toContain(marker), { timeoutMs: 10_000 });
    expect(workerWhitelist()).not.toContain("0.0.0.0/0");
    expect(apiWhitelist()).not.toContain("0.0.0.0/0");
    const onTopic: IncomingMessage[] = [];
    await (await admin.follow(topics.configUpdates, (message) => onTopic.push(message))).stop();
    expect(onTopic.map((m) => m.key)).not.toContain("0.0.0.0/0");
  }, 30_000);

  it.each(["alerter", "collector"])("refuses a forged alert on high-priority-alerts from the %s principal", async (user) => {
    const attacker = connect(user, `${name}-${user}-forge`);
    try {
      const forged = { key: "6.6.6.6", value: JSON.stringify({ type: "credential_leak", details: { url: "https://evil.example" } }) };
      await expect(attacker.publish(topics.highPriorityAlerts, [forged])).rejects.toThrow(/not authorized by the broker's ACLs/);
    } finally {
      await attacker.close();
    }
  }, 30_000);
});
