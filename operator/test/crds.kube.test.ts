/** `kubectl apply -f crds/` on a real API server: defaults, validation messages, short names, columns. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { socPipelineObject, ipWhitelistObject } from "../src/api/v1alpha1/index.ts";
import { createNamespace, deleteNamespace, kubectl, kubectlOk, missingKube, REPO_ROOT } from "./harness.ts";

const pipeline = (spec: Record<string, unknown>, name = "p1") => ({
  apiVersion: "socpipeline.io/v1alpha1",
  kind: "SocPipeline",
  metadata: { name },
  spec,
});
const whitelist = (entries: unknown[]) => ({
  apiVersion: "socpipeline.io/v1alpha1",
  kind: "IpWhitelist",
  metadata: { name: "w1" },
  spec: { pipelineRef: { name: "p1" }, entries },
});
const minimal = { kafka: { brokers: ["kafka:9092"] }, api: { apiKeysSecretRef: { name: "keys", key: "api" } } };
const msk = {
  brokers: ["b-1.shop.kafka.eu-west-1.amazonaws.com:9098"],
  tls: {},
  sasl: { mechanism: "AWS_MSK_IAM", region: "eu-west-1" },
};

describe.skipIf(missingKube())("CRDs on a real API server", () => {
  let namespace: string;
  const dryRun = (object: object) =>
    kubectl(["apply", "-n", namespace, "--dry-run=server", "-o", "json", "-f", "-"], stringify(object));

  beforeAll(() => {
    const applied = kubectlOk(["apply", "-f", `${REPO_ROOT}/crds`]);
    expect(applied).toMatch(/socpipelines\.socpipeline\.io (created|configured|unchanged)/);
    kubectlOk([
      "wait",
      "--for=condition=Established",
      "crd/socpipelines.socpipeline.io",
      "crd/ipwhitelists.socpipeline.io",
      "--timeout=30s",
    ]);
    namespace = createNamespace("crd");
  });
  afterAll(() => deleteNamespace(namespace));

  it("fills in the same defaults as the TypeScript schema, so the two cannot drift apart", () => {
    const served = JSON.parse(dryRun(pipeline(minimal)).stdout) as { spec: unknown };
    const local = socPipelineObject.parse({
      ...pipeline(minimal),
      metadata: { name: "p1", namespace, uid: "u", resourceVersion: "1" },
    });
    expect(served.spec).toEqual(local.spec);
    const servedList = JSON.parse(dryRun(whitelist([{ ip: "10.0.0.0/8" }])).stdout) as { spec: unknown };
    expect(servedList.spec).toEqual(
      ipWhitelistObject.shape.spec.parse({ pipelineRef: { name: "p1" }, entries: [{ ip: "10.0.0.0/8" }] }),
    );
  });

  it("accepts Amazon MSK with IAM: TLS, the mechanism and a region, no password", () => {
    const result = dryRun(pipeline({ ...minimal, kafka: msk }));
    expect(result.stderr).toBe("");
    expect((JSON.parse(result.stdout) as { spec: { kafka: unknown } }).spec.kafka).toMatchObject(msk);
  });

  it.each([
    {
      case: "AWS_MSK_IAM without TLS",
      object: pipeline({ ...minimal, kafka: { ...msk, tls: undefined } }),
      message: "AWS_MSK_IAM needs tls",
    },
    {
      case: "AWS_MSK_IAM without a region",
      object: pipeline({ ...minimal, kafka: { ...msk, sasl: { mechanism: "AWS_MSK_IAM" } } }),
      message: "AWS_MSK_IAM needs region",
    },
    {
      case: "a malformed AWS region",
      object: pipeline({ ...minimal, kafka: { ...msk, sasl: { ...msk.sasl, region: "eu-west" } } }),
      message: "spec.kafka.sasl.region: Invalid value",
    },
    {
      case: "AWS_MSK_IAM with a password",
      object: pipeline({
        ...minimal,
        kafka: { ...msk, sasl: { ...msk.sasl, passwordSecretRef: { name: "k", key: "p" } } },
      }),
      message: "set no username, usernameSecretRef or passwordSecretRef",
    },
    {
      case: "SCRAM without a password",
      object: pipeline({
        ...minimal,
        kafka: { ...minimal.kafka, sasl: { mechanism: "SCRAM-SHA-512", username: "u" } },
      }),
      message: "passwordSecretRef is required with PLAIN and SCRAM",
    },
    {
      case: "an address that is not one",
      object: whitelist([{ ip: "300.1.1.1" }]),
      message: 'spec.entries[0].ip: Invalid value: "string": must be an IPv4 or IPv6 address or a CIDR block',
    },
    {
      case: "a CIDR with a bad prefix",
      object: whitelist([{ ip: "10.0.0.0/33" }]),
      message: "must be an IPv4 or IPv6 address or a CIDR block",
    },
    {
      case: "the same entry twice",
      object: whitelist([{ ip: "10.0.0.1" }, { ip: "10.0.0.1" }]),
      message: "Duplicate value",
    },
    {
      case: "no pipeline reference",
      object: { ...whitelist([]), spec: { entries: [] } },
      message: "spec.pipelineRef: Required value",
    },
    {
      case: "a broker without a port",
      object: pipeline({ ...minimal, kafka: { brokers: ["kafka"] } }),
      message: "spec.kafka.brokers[0]",
    },
    {
      case: "no API keys Secret",
      object: pipeline({ kafka: minimal.kafka, api: {} }),
      message: "spec.api.apiKeysSecretRef: Required value",
    },
    {
      case: "both a URL and a Secret for Elasticsearch",
      object: pipeline({
        ...minimal,
        elasticsearch: { url: "http://es:9200", urlSecretRef: { name: "es", key: "url" } },
      }),
      message: "set exactly one of url and urlSecretRef",
    },
    {
      case: "min above max",
      object: pipeline({ ...minimal, worker: { autoscaling: { minReplicas: 5, maxReplicas: 2 } } }),
      message: "minReplicas must not exceed maxReplicas",
    },
    {
      case: "a brute-force threshold of one",
      object: pipeline({ ...minimal, worker: { detection: { bruteForceThreshold: 1 } } }),
      message: "spec.worker.detection.bruteForceThreshold: Invalid value: 1",
    },
    {
      case: "a keyword rule of an unknown severity",
      object: pipeline({ ...minimal, worker: { detection: { keywordRules: ["failed@sshd:urgent"] } } }),
      message: "spec.worker.detection.keywordRules[0]: Invalid value",
    },
    {
      case: "two keyword rules in one entry",
      object: pipeline({ ...minimal, worker: { detection: { keywordRules: ["failed@sshd,denied"] } } }),
      message: "spec.worker.detection.keywordRules[0]: Invalid value",
    },
    {
      case: "incidents shorter than their quiet gap",
      object: pipeline({
        ...minimal,
        worker: { detection: { incidentWindowSeconds: 7200, incidentMaxSeconds: 3600 } },
      }),
      message: "incidentMaxSeconds must be at least incidentWindowSeconds",
    },
    {
      case: "an unknown collector type",
      object: pipeline({ ...minimal, collectors: [{ name: "x", type: "splunk" }] }),
      message: 'spec.collectors[0].type: Unsupported value: "splunk"',
    },
    {
      case: "two replicas of a pulling collector",
      object: pipeline({ ...minimal, collectors: [{ name: "pg", type: "postgres", replicas: 2 }] }),
      message: "a pulling collector keeps its cursor on its own volume: replicas must be 0 or 1",
    },
    {
      case: "the reporter without SMTP",
      object: pipeline({ ...minimal, reporter: { enabled: true } }),
      message: "smtpUrlSecretRef and emailTo are required when the reporter is enabled",
    },
    {
      case: "the scanner without a token",
      object: pipeline({ ...minimal, credentialScanner: { enabled: true, queries: ["org:a"] } }),
      message: "githubTokenSecretRef and queries are required when the scanner is enabled",
    },
    {
      case: "NODE_OPTIONS in a collector's settings",
      object: pipeline({
        ...minimal,
        collectors: [{ name: "x", type: "vercel", settings: { NODE_OPTIONS: "--import=data:text/javascript,1" } }],
      }),
      message: "settings may only set the names its type reads",
    },
    {
      case: "a *_FILE name in a collector's settings",
      object: pipeline({
        ...minimal,
        collectors: [{ name: "x", type: "postgres", settings: { POSTGRES_LOG_DIR_FILE: "/etc/shadow" } }],
      }),
      message: "settings may only set the names its type reads",
    },
    {
      case: "a Secret as an arbitrary environment variable",
      object: pipeline({
        ...minimal,
        collectors: [
          { name: "x", type: "vercel", secretEnv: [{ name: "KAFKA_BROKER", secretKeyRef: { name: "s", key: "k" } }] },
        ],
      }),
      message: "secretEnv may only set the names its type reads",
    },
    {
      case: "credentials in the Redis URL",
      object: pipeline({ ...minimal, redis: { url: "redis://user:pass@redis:6379" } }),
      message: 'spec.redis.url: Invalid value: "string": must not carry credentials (user:password@host)',
    },
    {
      case: "credentials in the Elasticsearch URL",
      object: pipeline({ ...minimal, elasticsearch: { url: "https://elastic:changeme@es:9200" } }),
      message: "must not carry credentials",
    },
    {
      case: "a Kafka client certificate without its key",
      object: pipeline({ ...minimal, kafka: { ...minimal.kafka, tls: { certSecretRef: { name: "c", key: "crt" } } } }),
      message: "set both certSecretRef and keySecretRef, or neither",
    },
    {
      case: "an Elasticsearch API key and a password",
      object: pipeline({
        ...minimal,
        elasticsearch: {
          url: "https://es:9200",
          apiKeySecretRef: { name: "e", key: "k" },
          username: "u",
          passwordSecretRef: { name: "e", key: "p" },
        },
      }),
      message: "set either apiKeySecretRef or a username and password, not both",
    },
    {
      case: "an ingress source that selects nothing",
      object: pipeline({ ...minimal, networkPolicy: { ingressFrom: [{}] } }),
      message: "set namespaceSelector, podSelector or both",
    },
    {
      case: "trace export headers without an endpoint",
      object: pipeline({ ...minimal, telemetry: { headersSecretRef: { name: "otel", key: "headers" } } }),
      message: "headersSecretRef needs an endpoint",
    },
    {
      case: "a sampling ratio above one",
      object: pipeline({ ...minimal, telemetry: { endpoint: "http://otel:4318", samplingRatio: 1.5 } }),
      message: "spec.telemetry.samplingRatio: Invalid value: 1.5",
    },
    {
      case: "credentials in the trace endpoint",
      object: pipeline({ ...minimal, telemetry: { endpoint: "https://user:token@otel:4318" } }),
      message: 'spec.telemetry.endpoint: Invalid value: "string": must not carry credentials',
    },
    {
      case: "a name too long to prefix child names",
      object: pipeline(minimal, "a-pipeline-name-that-is-far-too-long"),
      message: "name must be a DNS-1035 label of at most 30 characters",
    },
  ])("rejects $case with a clear message", ({ object, message }) => {
    const result = dryRun(object);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain(message);
  });

  it("answers to short names and shows printer columns", () => {
    kubectlOk(["apply", "-n", namespace, "-f", "-"], stringify(pipeline(minimal)));
    const table = kubectlOk(["get", "socp", "-n", namespace]);
    expect(table.split("\n")[0]).toMatch(/^NAME\s+READY\s+COMPONENTS\s+WORKERS\s+LAG\s+WHITELISTED\s+AGE/);
    expect(kubectlOk(["get", "ipwl", "-n", namespace])).toBe("");
    expect(
      kubectlOk(["api-resources", "--api-group=socpipeline.io", "-o", "name"]).split("\n").filter(Boolean).sort(),
    ).toEqual(["ipwhitelists.socpipeline.io", "socpipelines.socpipeline.io"]);
  });
});
