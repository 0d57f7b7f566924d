import { describe, expect, it } from "vitest";
import { detectionConfigOf, incidentPolicyOf, parseWorkerEnv, workerEnvSchema } from "@soc/worker";
import { socPipelineObject, type SocPipeline } from "../api/v1alpha1/index.ts";
import { components, type Component } from "./components.ts";

/** A pipeline as the API server returns it: parsed with the schema, so every default is filled in. */
function pipeline(spec: Record<string, unknown> = {}): SocPipeline {
  return socPipelineObject.parse({
    apiVersion: "socpipeline.io/v1alpha1",
    kind: "SocPipeline",
    metadata: { name: "shop", namespace: "soc", uid: "uid-1", generation: 1, resourceVersion: "1" },
    spec: { kafka: { brokers: ["kafka:9092"] }, api: { apiKeysSecretRef: { name: "keys", key: "api" } }, ...spec },
  });
}

const envOf = (list: Component[], name: string): Record<string, string> =>
  Object.fromEntries((list.find((c) => c.name === name)?.env ?? []).map((e) => [e.name, e.value]));

describe("components", () => {
  it("tells the API the workers' group, so GET /pipeline reports their lag", () => {
    const list = components(pipeline({ worker: { groupId: "shop-workers" } }));
    expect(envOf(list, "worker").WORKER_GROUP_ID).toBe("shop-workers");
    expect(envOf(list, "api").WORKER_GROUP_ID).toBe("shop-workers");
  });

  it("gives the worker, the API (bans) and the alerter Redis key prefixes of their own pipeline, so pipelines can share a Redis", () => {
    const list = components(pipeline());
    expect(envOf(list, "worker").REDIS_KEY_PREFIX).toBe("soc:soc/shop:");
    expect(envOf(list, "api").REDIS_KEY_PREFIX).toBe("soc:soc/shop:");
    expect(envOf(list, "alerter").REDIS_KEY_PREFIX).toBe("soc-alerter:soc/shop:");
  });

  it("gives the worker of a default pipeline the worker's own detection defaults", () => {
    const rendered = detectionConfigOf(parseWorkerEnv(envOf(components(pipeline()), "worker")));
    expect(rendered).toEqual(detectionConfigOf(parseWorkerEnv({})));
  });

  it("passes every detection setting of the spec to the worker", () => {
    const detection = {
      keywords: ["panic"],
      keywordRules: ["failed@sshd|su:high", "panic@!kernel"],
      bruteForceThreshold: 7,
      bruteForceWindowSeconds: 60,
      spikeBaselineMinutes: 15,
      spikeMinRequestsPerMinute: 10,
      spikeSigma: 2.5,
      incidentWindowSeconds: 600,
      incidentMaxSeconds: 7200,
      incidentMaxAlerts: 50,
    };
    const env = parseWorkerEnv(envOf(components(pipeline({ worker: { detection } })), "worker"));
    // The worker has settings of its own beside these (pattern learning): the spec's must all arrive.
    expect(detectionConfigOf(env)).toMatchObject({
      keywords: ["panic"],
      keywordRules: [
        { keyword: "failed", only: ["sshd", "su"], except: [], severity: "high" },
        { keyword: "panic", only: [], except: ["kernel"], severity: "medium" },
      ],
      bruteForce: { threshold: 7, windowSeconds: 60 },
      spike: { baselineMinutes: 15, minRequestsPerMinute: 10, sigma: 2.5 },
    });
    expect(incidentPolicyOf(env)).toEqual({ windowSeconds: 600, maxSeconds: 7200, maxAlerts: 50 });
  });

  it("renders no keyword rules as none, not as the worker's default rules", () => {
    const env = parseWorkerEnv(envOf(components(pipeline({ worker: { detection: { keywordRules: [] } } })), "worker"));
    expect(detectionConfigOf(env).keywordRules).toEqual([]);
  });

  it("takes exactly the keyword rules the worker's parser takes, one rule per entry", () => {
    const entries = [
      "exception@!kernel",
      "failed@sshd|su:high",
      "out of memory:critical",
      "denied@!cron|!kernel:info",
      "error:low",
      "panic@kernel(4):critical",
      "timeout@my app|api/v1",
      "error:urgent",
      "error:HIGH",
      "failed@",
      "failed@sshd|",
      "failed@ssh;d",
      "failed@a@b",
      "a:b:high",
      ":high",
      "@sshd",
      `failed@${"x".repeat(65)}`,
    ];
    const specTakes = (entry: string) => {
      try {
        pipeline({ worker: { detection: { keywordRules: [entry] } } });
        return true;
      } catch {
        return false;
      }
    };
    const workerTakes = (entry: string) => workerEnvSchema.safeParse({ KEYWORD_RULES: entry }).success;
    expect(entries.filter(specTakes)).toEqual(entries.filter(workerTakes));
    expect(entries.filter(specTakes)).toHaveLength(7);
    // The worker splits its setting at commas and drops blanks; the spec refuses what would be split or dropped.
    for (const entry of ["failed,denied", "", "  "]) expect(specTakes(entry), JSON.stringify(entry)).toBe(false);
  });

  it("refuses incidents that may span less than their quiet gap, as the worker does", () => {
    expect(() =>
      pipeline({ worker: { detection: { incidentWindowSeconds: 7200, incidentMaxSeconds: 3600 } } }),
    ).toThrow("incidentMaxSeconds must be at least incidentWindowSeconds");
    expect(workerEnvSchema.safeParse({ INCIDENT_WINDOW_SECONDS: "7200", INCIDENT_MAX_SECONDS: "3600" }).success).toBe(
      false,
    );
  });

  describe("Amazon MSK with IAM", () => {
    const msk = {
      brokers: ["b-1.shop.kafka.eu-west-1.amazonaws.com:9098"],
      tls: {},
      sasl: { mechanism: "AWS_MSK_IAM", region: "eu-west-1" },
    };

    it("renders SASL_SSL, the mechanism and the region to every Kafka client, with no user or password to mount", () => {
      const list = components(pipeline({ kafka: msk, collectors: [{ name: "pg", type: "postgres" }] }));
      for (const name of ["api", "worker", "alerter", "collector-pg"]) {
        expect(envOf(list, name), name).toMatchObject({
          KAFKA_SECURITY_PROTOCOL: "SASL_SSL",
          KAFKA_SASL_MECHANISM: "AWS_MSK_IAM",
          AWS_REGION: "eu-west-1",
        });
        expect(envOf(list, name).KAFKA_SASL_USERNAME, name).toBeUndefined();
        expect(
          list.find((c) => c.name === name)?.secretFiles.filter((file) => file.env.startsWith("KAFKA_")),
          name,
        ).toEqual([]);
      }
      expect(envOf(list, "retention").AWS_REGION).toBeUndefined();
    });

    it("renders settings the worker's own parser accepts, as an MSK IAM client", () => {
      const env = parseWorkerEnv({
        ...envOf(components(pipeline({ kafka: msk })), "worker"),
        KAFKA_BROKER: msk.brokers.join(","),
      });
      expect(env).toMatchObject({
        KAFKA_SECURITY_PROTOCOL: "SASL_SSL",
        KAFKA_SASL_MECHANISM: "AWS_MSK_IAM",
        AWS_REGION: "eu-west-1",
      });
    });

    it("is refused without tls or a region, with a password, and a region is refused for other mechanisms", () => {
      expect(() => pipeline({ kafka: { ...msk, tls: undefined } })).toThrow("AWS_MSK_IAM needs tls");
      expect(() => pipeline({ kafka: { ...msk, sasl: { mechanism: "AWS_MSK_IAM" } } })).toThrow(
        "AWS_MSK_IAM needs region",
      );
      expect(() => pipeline({ kafka: { ...msk, sasl: { ...msk.sasl, region: "eu-west" } } })).toThrow(
        "must be an AWS region such as us-east-1",
      );
      expect(() =>
        pipeline({ kafka: { ...msk, sasl: { ...msk.sasl, passwordSecretRef: { name: "k", key: "p" } } } }),
      ).toThrow("set no username, usernameSecretRef or passwordSecretRef");
      expect(() =>
        pipeline({
          kafka: {
            ...msk,
            sasl: {
              mechanism: "SCRAM-SHA-512",
              username: "shop",
              passwordSecretRef: { name: "k", key: "p" },
              region: "eu-west-1",
            },
          },
        }),
      ).toThrow("region is for AWS_MSK_IAM only");
      expect(() => pipeline({ kafka: { ...msk, sasl: { mechanism: "SCRAM-SHA-512", username: "shop" } } })).toThrow(
        "passwordSecretRef is required with PLAIN and SCRAM",
      );
    });
  });

  describe("telemetry", () => {
    const traced = ["api", "worker", "alerter", "collector-pg", "reporter", "credential-scanner"];
    const full = {
      collectors: [{ name: "pg", type: "postgres" }],
      reporter: { enabled: true, smtpUrlSecretRef: { name: "smtp", key: "url" }, emailTo: ["soc@example.com"] },
      credentialScanner: { enabled: true, githubTokenSecretRef: { name: "gh", key: "token" }, queries: ["org:acme"] },
      dashboard: { enabled: true, apiBaseUrl: "https://soc.example.com" },
    };
    const otelNames = (list: Component[], name: string): string[] =>
      Object.keys(envOf(list, name)).filter((key) => key.startsWith("OTEL_"));

    it("renders no OTEL_* setting without an endpoint: the services then load no SDK", () => {
      const list = components(pipeline(full));
      for (const component of list) expect(otelNames(list, component.name), component.name).toEqual([]);
    });

    it("points every traced component at the endpoint, under its own service name, sampling by the spec's ratio", () => {
      const list = components(
        pipeline({ ...full, telemetry: { endpoint: "http://otel-collector.observability:4318", samplingRatio: 0.25 } }),
      );
      for (const name of traced) {
        expect(envOf(list, name), name).toMatchObject({
          OTEL_EXPORTER_OTLP_ENDPOINT: "http://otel-collector.observability:4318",
          OTEL_SERVICE_NAME: `soc-${name}`,
          OTEL_TRACES_SAMPLER: "parentbased_traceidratio",
          OTEL_TRACES_SAMPLER_ARG: "0.25",
          OTEL_RESOURCE_ATTRIBUTES: "service.namespace=shop,k8s.namespace.name=soc",
        });
      }
      // Static files and an index-deleting CronJob make no spans.
      expect(otelNames(list, "dashboard")).toEqual([]);
    });

    it("samples every trace by default, and the worker's rendered settings pass its own parser", () => {
      const list = components(pipeline({ telemetry: { endpoint: "https://traces.example.com" } }));
      expect(envOf(list, "worker").OTEL_TRACES_SAMPLER_ARG).toBe("1");
      expect(parseWorkerEnv(envOf(list, "worker"))).toMatchObject({
        OTEL_EXPORTER_OTLP_ENDPOINT: "https://traces.example.com",
        OTEL_TRACES_SAMPLER: "parentbased_traceidratio",
        OTEL_TRACES_SAMPLER_ARG: 1,
      });
    });

    it("mounts the export headers' Secret as a file, never as an environment value", () => {
      const headersSecretRef = { name: "otel", key: "headers" };
      const list = components(pipeline({ telemetry: { endpoint: "https://traces.example.com", headersSecretRef } }));
      const api = list.find((c) => c.name === "api");
      expect(api?.secretFiles).toContainEqual({ env: "OTEL_EXPORTER_OTLP_HEADERS_FILE", ref: headersSecretRef });
      expect(envOf(list, "api").OTEL_EXPORTER_OTLP_HEADERS).toBeUndefined();
    });

    it("refuses export headers without an endpoint, a ratio outside [0, 1] and credentials in the URL", () => {
      expect(() => pipeline({ telemetry: { headersSecretRef: { name: "otel", key: "headers" } } })).toThrow();
      expect(() => pipeline({ telemetry: { endpoint: "http://otel:4318", samplingRatio: 1.5 } })).toThrow();
      expect(() => pipeline({ telemetry: { endpoint: "https://user:token@otel:4318" } })).toThrow(
        /must not carry credentials/,
      );
    });
  });
});
