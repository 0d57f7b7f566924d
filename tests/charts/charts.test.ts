/**
 * Template tests of the Helm charts: render with `helm template`, parse, and check what matters
 * (least-privilege RBAC, a restricted pod, the SocPipeline spec matching the values, opt-in extras,
 * the values schema rejecting bad input). Skipped, with the reason, when there is no helm binary.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse, parseAllDocuments } from "yaml";
import { DETECTION_DEFAULTS } from "@soc/shared";
import { ipWhitelistSpec, socPipelineSpec } from "../../operator/src/api/v1alpha1/index.ts";
import { parseOperatorEnv } from "../../operator/src/config.ts";

const HELM = process.env.HELM ?? "/var/cache/soc-pipeline/bin/helm";
const ROOT = join(import.meta.dirname, "..", "..");
const OPERATOR_CHART = join(ROOT, "charts", "soc-operator");
const PIPELINE_CHART = join(ROOT, "charts", "soc-pipeline");
// A helm built without its version ldflags assumes Kubernetes 1.20, below the charts' kubeVersion.
const KUBE_VERSION = "1.31.0";

const helmMissing = !existsSync(HELM);
if (helmMissing) console.warn(`skipping Helm chart tests: no helm at ${HELM} (run scripts/kube/build.sh or set HELM)`);

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [field: string]: unknown;
}
interface PolicyRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
  resourceNames?: string[];
}
interface Role extends Manifest {
  rules: PolicyRule[];
}
interface Binding extends Manifest {
  roleRef: { kind: string; name: string };
  subjects: { kind: string; name: string; namespace: string }[];
}
interface Container {
  name: string;
  image: string;
  env?: { name: string; value?: string; valueFrom?: { fieldRef: { fieldPath: string } } }[];
  ports?: { name: string; containerPort: number }[];
  livenessProbe?: { httpGet: { path: string; port: string } };
  readinessProbe?: { httpGet: { path: string; port: string } };
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: {
    allowPrivilegeEscalation?: boolean;
    readOnlyRootFilesystem?: boolean;
    runAsNonRoot?: boolean;
    capabilities?: { drop?: string[] };
  };
}
interface Workload extends Manifest {
  spec: {
    replicas: number;
    template: {
      spec: {
        terminationGracePeriodSeconds?: number;
        securityContext: { runAsNonRoot?: boolean; runAsUser?: number; seccompProfile?: { type: string } };
        containers: Container[];
      };
    };
  };
}
interface CustomResource extends Manifest {
  spec: { [key: string]: Json };
}
interface Secret extends Manifest {
  data: Record<string, string>;
}

function helm(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync(HELM, args, { encoding: "utf8" });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

const templateArgs = (chart: string, release: string, values: string[]): string[] => [
  "template",
  release,
  chart,
  "--namespace",
  "soc",
  "--kube-version",
  KUBE_VERSION,
  ...values,
];

/** Renders a chart; `values` are helm flags such as ["--set", "a=b"]. */
function render(chart: string, values: string[] = [], release = "soc-pipeline"): Manifest[] {
  const run = helm(templateArgs(chart, release, values));
  if (run.status !== 0) throw new Error(`helm template failed: ${run.stderr}`);
  return parseAllDocuments(run.stdout).flatMap((doc) => {
    if (doc.errors.length > 0) throw new Error(`invalid YAML from helm: ${doc.errors[0]?.message}`);
    const value: unknown = doc.toJS();
    return value === null || value === undefined ? [] : [value as Manifest];
  });
}

/** stderr of a render that must fail. */
function renderError(chart: string, values: string[]): string {
  const run = helm(templateArgs(chart, "soc-pipeline", values));
  expect(run.status, `expected helm template ${values.join(" ")} to fail`).not.toBe(0);
  return run.stderr;
}

const ofKind = <T extends Manifest>(manifests: Manifest[], kind: string): T[] =>
  manifests.filter((m) => m.kind === kind) as T[];
function one<T extends Manifest>(manifests: Manifest[], kind: string): T {
  const found = ofKind<T>(manifests, kind);
  expect(found, `exactly one ${kind}`).toHaveLength(1);
  return found[0] as T;
}
const kinds = (manifests: Manifest[]): string[] => [...new Set(manifests.map((m) => m.kind))].sort();

/** resource -> sorted verbs, over all rules; "group/resource" for non-core groups. */
function grants(rules: PolicyRule[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const rule of rules) {
    for (const group of rule.apiGroups) {
      for (const resource of rule.resources) {
        const key = group === "" ? resource : `${group}/${resource}`;
        out[key] = [...new Set([...(out[key] ?? []), ...rule.verbs])].sort();
      }
    }
  }
  return out;
}

const CRUD = ["create", "delete", "get", "list", "patch", "update", "watch"];
const OPERATOR_GRANTS: Record<string, string[]> = {
  "socpipeline.io/socpipelines": ["get", "list", "watch"],
  "socpipeline.io/ipwhitelists": ["get", "list", "watch"],
  "socpipeline.io/socpipelines/status": ["get", "patch", "update"],
  "socpipeline.io/ipwhitelists/status": ["get", "patch", "update"],
  "socpipeline.io/socpipelines/finalizers": ["update"],
  configmaps: CRUD,
  services: CRUD,
  persistentvolumeclaims: CRUD,
  "apps/deployments": CRUD,
  "apps/deployments/scale": ["get", "patch", "update"],
  "batch/cronjobs": CRUD,
  "policy/poddisruptionbudgets": CRUD,
  "networking.k8s.io/networkpolicies": CRUD,
  events: ["create", "patch"],
  "events.k8s.io/events": ["create", "patch"],
  // A pipeline's Kafka credentials, by name: never list or watch, so no Secret can be enumerated.
  secrets: ["get"],
};

function expectLeastPrivilege(roles: Role[]): void {
  for (const rule of roles.flatMap((role) => role.rules)) {
    for (const field of [rule.apiGroups, rule.resources, rule.verbs]) expect(field).not.toContain("*");
    if (rule.resources.includes("secrets")) expect(rule.verbs).toEqual(["get"]);
  }
}

const container = (workload: Workload): Container => workload.spec.template.spec.containers[0] as Container;
const env = (c: Container, name: string) => c.env?.find((e) => e.name === name);

describe("generated CRDs", () => {
  it("the operator chart ships the same CRDs as crds/", () => {
    const files = readdirSync(join(ROOT, "crds")).sort();
    expect(readdirSync(join(OPERATOR_CHART, "crds")).sort()).toEqual(files);
    for (const file of files)
      expect(readFileSync(join(OPERATOR_CHART, "crds", file), "utf8"), file).toBe(
        readFileSync(join(ROOT, "crds", file), "utf8"),
      );
  });

  it("the pipeline values schema has exactly the SocPipeline spec's fields", () => {
    const crd = parse(readFileSync(join(ROOT, "crds", "socpipelines.yaml"), "utf8")) as {
      spec: { versions: { schema: { openAPIV3Schema: SchemaNode } }[] };
    };
    const values = JSON.parse(readFileSync(join(PIPELINE_CHART, "values.schema.json"), "utf8")) as SchemaNode & {
      definitions: Record<string, SchemaNode>;
    };
    const crdSpec = crd.spec.versions[0]?.schema.openAPIV3Schema.properties?.spec as SchemaNode;
    expect(fieldPaths(values.properties?.pipeline as SchemaNode, values.definitions)).toEqual(fieldPaths(crdSpec, {}));
  });

  it("the pipeline values' detection defaults are the SocPipeline spec's, which are the worker's", () => {
    const values = parse(readFileSync(join(PIPELINE_CHART, "values.yaml"), "utf8")) as {
      pipeline: { worker: { detection: unknown } };
    };
    const spec = socPipelineSpec.parse({
      kafka: { brokers: ["kafka:9092"] },
      api: { apiKeysSecretRef: { name: "keys", key: "api" } },
    });
    expect(values.pipeline.worker.detection).toEqual(spec.worker.detection);
    expect(spec.worker.detection).toEqual({ ...DETECTION_DEFAULTS, keywords: [...DETECTION_DEFAULTS.keywords] });
  });
});

interface SchemaNode {
  $ref?: string;
  properties?: Record<string, SchemaNode>;
  items?: SchemaNode;
}
/** Every field path of a schema ("api.resources.requests.cpu", "collectors[].name"), following local $refs. */
function fieldPaths(node: SchemaNode, definitions: Record<string, SchemaNode>, prefix = ""): string[] {
  const resolved =
    node.$ref === undefined ? node : (definitions[node.$ref.replace("#/definitions/", "")] as SchemaNode);
  const own = Object.entries(resolved.properties ?? {}).flatMap(([name, child]) => [
    `${prefix}${name}`,
    ...fieldPaths(child, definitions, `${prefix}${name}.`),
  ]);
  const items =
    resolved.items === undefined ? [] : fieldPaths(resolved.items, definitions, `${prefix.replace(/\.$/, "")}[].`);
  return [...own, ...items].sort();
}

describe.skipIf(helmMissing)("soc-operator chart", () => {
  it("passes helm lint --strict, cluster-wide and namespaced", () => {
    for (const values of [
      [],
      ["--set", "watchNamespaces={team-a,team-b},imageRegistries={ghcr.io/soc-pipeline},serviceMonitor.enabled=true"],
    ]) {
      const run = helm(["lint", "--strict", OPERATOR_CHART, ...values]);
      expect(run.status, run.stdout + run.stderr).toBe(0);
    }
  });

  it("renders the operator objects, no ServiceMonitor by default", () => {
    expect(kinds(render(OPERATOR_CHART))).toEqual([
      "ClusterRole",
      "ClusterRoleBinding",
      "Deployment",
      "PodDisruptionBudget",
      "Role",
      "RoleBinding",
      "Service",
      "ServiceAccount",
    ]);
  });

  it("grants exactly what the operator needs cluster-wide, leases only in its namespace", () => {
    const manifests = render(OPERATOR_CHART);
    const roles = [...ofKind<Role>(manifests, "ClusterRole"), ...ofKind<Role>(manifests, "Role")];
    expectLeastPrivilege(roles);
    expect(grants(one<Role>(manifests, "ClusterRole").rules)).toEqual(OPERATOR_GRANTS);
    const leaderElection = one<Role>(manifests, "Role");
    expect(leaderElection.metadata.namespace).toBe("soc");
    expect(grants(leaderElection.rules)).toEqual({ "coordination.k8s.io/leases": ["create", "get", "update"] });
    const binding = one<Binding>(manifests, "ClusterRoleBinding");
    expect(binding.roleRef).toMatchObject({
      kind: "ClusterRole",
      name: one<Role>(manifests, "ClusterRole").metadata.name,
    });
    expect(binding.subjects).toEqual([
      { kind: "ServiceAccount", name: one<Manifest>(manifests, "ServiceAccount").metadata.name, namespace: "soc" },
    ]);
  });

  it("uses a Role in each watched namespace, and nothing cluster-wide, when watchNamespaces is set", () => {
    const manifests = render(OPERATOR_CHART, ["--set", "watchNamespaces={team-a,team-b}"]);
    expect(ofKind(manifests, "ClusterRole")).toEqual([]);
    expect(ofKind(manifests, "ClusterRoleBinding")).toEqual([]);
    const roles = ofKind<Role>(manifests, "Role");
    expectLeastPrivilege(roles);
    for (const namespace of ["team-a", "team-b"]) {
      const watched = roles.find((role) => role.metadata.namespace === namespace);
      expect(grants(watched?.rules ?? []), namespace).toEqual(OPERATOR_GRANTS);
      const binding = ofKind<Binding>(manifests, "RoleBinding").find((b) => b.metadata.namespace === namespace);
      expect(binding?.roleRef).toEqual({
        apiGroup: "rbac.authorization.k8s.io",
        kind: "Role",
        name: watched?.metadata.name,
      });
      expect(binding?.subjects).toEqual([
        { kind: "ServiceAccount", name: one<Manifest>(manifests, "ServiceAccount").metadata.name, namespace: "soc" },
      ]);
    }
    expect(
      roles
        .find((role) => role.metadata.namespace === "soc")
        ?.rules.every((rule) => rule.resources.join() === "leases"),
    ).toBe(true);
    expect(env(container(one<Workload>(manifests, "Deployment")), "WATCH_NAMESPACES")?.value).toBe("team-a,team-b");
  });

  it("passes the image registry allow-list to the operator", () => {
    const c = container(
      one<Workload>(
        render(OPERATOR_CHART, ["--set", "imageRegistries={ghcr.io/soc-pipeline,registry.example.com:5000/soc}"]),
        "Deployment",
      ),
    );
    expect(env(c, "ALLOWED_IMAGE_REGISTRIES")?.value).toBe("ghcr.io/soc-pipeline,registry.example.com:5000/soc");
  });

  it("passes the Kafka broker allow-list and client settings to the operator, as its own parser reads them", () => {
    const c = container(
      one<Workload>(
        render(OPERATOR_CHART, [
          "--set",
          "kafka.brokerAllowlist={kafka.kafka.svc:9092,team-a=kafka.team-a.svc},kafka.brokersInNamespace=true,kafka.requirePipelineCredentials=true",
        ]),
        "Deployment",
      ),
    );
    const rendered = Object.fromEntries(
      (c.env ?? []).filter((e) => e.name.startsWith("KAFKA_")).map((e) => [e.name, e.value]),
    );
    expect(rendered).toEqual({
      KAFKA_BROKER_ALLOWLIST: "kafka.kafka.svc:9092,team-a=kafka.team-a.svc",
      KAFKA_BROKERS_IN_NAMESPACE: "true",
      KAFKA_REQUIRE_PIPELINE_CREDENTIALS: "true",
      KAFKA_CLIENT_IDLE_SECONDS: "600",
      KAFKA_CLIENTS_MAX: "64",
    });
    const parsed = parseOperatorEnv(rendered);
    expect(parsed.KAFKA_BROKER_ALLOWLIST).toHaveLength(2);
    expect([
      parsed.KAFKA_BROKERS_IN_NAMESPACE,
      parsed.KAFKA_REQUIRE_PIPELINE_CREDENTIALS,
      parsed.KAFKA_CLIENT_IDLE_SECONDS,
    ]).toEqual([true, true, 600]);
  });

  it("runs two replicas under the restricted Pod Security profile", () => {
    const deployment = one<Workload>(render(OPERATOR_CHART), "Deployment");
    const pod = deployment.spec.template.spec;
    expect(deployment.spec.replicas).toBe(2);
    expect(pod.terminationGracePeriodSeconds).toBe(30);
    expect(pod.securityContext).toMatchObject({
      runAsNonRoot: true,
      runAsUser: 65532,
      seccompProfile: { type: "RuntimeDefault" },
    });
    const c = container(deployment);
    expect(c.image).toBe("ghcr.io/soc-pipeline/operator:0.1.0");
    expect(c.securityContext).toMatchObject({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ["ALL"] },
    });
    expect(c.resources?.requests).toBeDefined();
    expect(c.ports).toEqual([{ name: "http", containerPort: 8080, protocol: "TCP" }]);
    expect(c.livenessProbe?.httpGet).toEqual({ path: "/healthz", port: "http" });
    expect(c.readinessProbe?.httpGet).toEqual({ path: "/readyz", port: "http" });
    expect(env(c, "LEADER_ELECTION_NAMESPACE")?.valueFrom?.fieldRef.fieldPath).toBe("metadata.namespace");
    expect(env(c, "POD_NAME")?.valueFrom?.fieldRef.fieldPath).toBe("metadata.name");
    expect(env(c, "WATCH_NAMESPACES")?.value).toBe("");
    expect(env(c, "ALLOWED_IMAGE_REGISTRIES")?.value).toBe("");
    expect(env(c, "OPERATOR_PORT")?.value).toBe("8080");
  });

  it("renders a ServiceMonitor for the metrics Service only when enabled", () => {
    const manifests = render(OPERATOR_CHART, [
      "--set",
      "serviceMonitor.enabled=true,serviceMonitor.labels.release=prom",
    ]);
    const monitor = one<CustomResource>(manifests, "ServiceMonitor");
    const service = one<CustomResource>(manifests, "Service");
    expect(monitor.metadata.labels?.release).toBe("prom");
    expect(monitor.spec.endpoints).toMatchObject([{ port: "metrics", path: "/metrics" }]);
    expect(service.metadata.labels).toMatchObject(
      (monitor.spec.selector as { matchLabels: Record<string, string> }).matchLabels,
    );
    expect(ofKind(render(OPERATOR_CHART, ["--set", "serviceMonitor.enabled=false"]), "ServiceMonitor")).toEqual([]);
  });

  it.each([
    ["a negative replica count", ["--set", "replicaCount=-1"]],
    ["a replica count of the wrong type", ["--set-string", "replicaCount=two"]],
    ["an unknown log level", ["--set", "logLevel=verbose"]],
    ["an unknown top-level key", ["--set", "replicas=3"]],
    ["an invalid namespace", ["--set", "watchNamespaces={Team_A}"]],
    ["a registry with a scheme", ["--set", "imageRegistries={https://ghcr.io}"]],
    ["a broker allow-list entry with a space", ["--set", "kafka.brokerAllowlist={kafka example.com}"]],
    ["an unknown Kafka setting", ["--set", "kafka.brokers=x"]],
  ])("rejects %s through values.schema.json", (_what, values) => {
    expect(renderError(OPERATOR_CHART, values)).toMatch(/schema/i);
  });
});

describe.skipIf(helmMissing)("soc-pipeline chart", () => {
  const values = parse(readFileSync(join(PIPELINE_CHART, "values.yaml"), "utf8")) as {
    pipeline: { [key: string]: Json };
  };
  const defaultApiKeys = { name: "soc-pipeline-api-keys", key: "API_KEYS" };
  const pipelineOf = (manifests: Manifest[]) => one<CustomResource>(manifests, "SocPipeline");

  it("passes helm lint --strict, with and without the dev servers", () => {
    for (const extra of [
      [],
      ["--set", "dev.enabled=true,dev.persistence.enabled=true,secrets.apiKeys=ingest:0123456789abcdef"],
    ]) {
      const run = helm(["lint", "--strict", PIPELINE_CHART, ...extra]);
      expect(run.status, run.stdout + run.stderr).toBe(0);
    }
  });

  it("renders only the SocPipeline by default, its spec equal to the values", () => {
    const manifests = render(PIPELINE_CHART);
    expect(kinds(manifests)).toEqual(["SocPipeline"]);
    const pipeline = pipelineOf(manifests);
    expect(pipeline.apiVersion).toBe("socpipeline.io/v1alpha1");
    expect(pipeline.metadata.name).toBe("soc-pipeline");
    const api = values.pipeline.api as { [key: string]: Json };
    expect(pipeline.spec).toEqual({ ...values.pipeline, api: { ...api, apiKeysSecretRef: defaultApiKeys } });
  });

  it("renders a spec the operator's schema accepts, named as the CRD requires", () => {
    const manifests = render(
      PIPELINE_CHART,
      [
        "--set",
        "dev.enabled=true,secrets.apiKeys=ingest:0123456789abcdef,secrets.githubToken=t,pipeline.credentialScanner.enabled=true",
      ],
      "a-release-name-that-is-much-too-long-for-pipelines",
    );
    const pipeline = pipelineOf(manifests);
    expect(pipeline.metadata.name).toMatch(/^[a-z]([-a-z0-9]*[a-z0-9])?$/);
    expect(pipeline.metadata.name.length).toBeLessThanOrEqual(30);
    expect(socPipelineSpec.safeParse(pipeline.spec).error).toBeUndefined();
  });

  it("renders each Secret only when its value is given and points the spec at it", () => {
    const manifests = render(PIPELINE_CHART, [
      "--set",
      "secrets.apiKeys=ingest:0123456789abcdef,secrets.smtpUrl=smtp://u:p@mail:587",
    ]);
    const secrets = ofKind<Secret>(manifests, "Secret");
    expect(secrets.map((s) => s.metadata.name).sort()).toEqual(["soc-pipeline-api-keys", "soc-pipeline-smtp"]);
    const data = Object.fromEntries(
      secrets.flatMap((s) =>
        Object.entries(s.data).map(([key, value]) => [key, Buffer.from(value, "base64").toString()]),
      ),
    );
    expect(data).toEqual({ API_KEYS: "ingest:0123456789abcdef", SMTP_URL: "smtp://u:p@mail:587" });
    const spec = pipelineOf(manifests).spec as { [part: string]: { [key: string]: Json } };
    const smtp = { name: "soc-pipeline-smtp", key: "SMTP_URL" };
    expect(spec.api?.apiKeysSecretRef).toEqual(defaultApiKeys);
    expect(spec.alerter).toMatchObject({ smtpUrlSecretRef: smtp });
    expect(spec.reporter).toMatchObject({ smtpUrlSecretRef: smtp });
    expect(spec.alerter).not.toHaveProperty("slackWebhookUrlsSecretRef");
    expect(spec.credentialScanner).not.toHaveProperty("githubTokenSecretRef");
  });

  it("passes references to existing Secrets through without rendering any", () => {
    const manifests = render(PIPELINE_CHART, [
      "--set",
      "pipeline.api.apiKeysSecretRef.name=keys,pipeline.api.apiKeysSecretRef.key=k,pipeline.alerter.slackWebhookUrlsSecretRef.name=hooks,pipeline.alerter.slackWebhookUrlsSecretRef.key=slack,pipeline.redis.urlSecretRef.name=redis,pipeline.redis.urlSecretRef.key=url",
    ]);
    expect(ofKind(manifests, "Secret")).toEqual([]);
    const spec = pipelineOf(manifests).spec as { [part: string]: { [key: string]: Json } };
    expect(spec.api?.apiKeysSecretRef).toEqual({ name: "keys", key: "k" });
    expect(spec.alerter?.slackWebhookUrlsSecretRef).toEqual({ name: "hooks", key: "slack" });
    // The CRD wants exactly one of url and urlSecretRef.
    expect(spec.redis).toEqual({ urlSecretRef: { name: "redis", key: "url" } });
  });

  it("renders the dev Kafka, Elasticsearch and Redis only when dev.enabled, wired into the spec", () => {
    expect(ofKind(render(PIPELINE_CHART), "StatefulSet")).toEqual([]);
    const manifests = render(PIPELINE_CHART, ["--set", "dev.enabled=true"]);
    const workloads = [...ofKind<Workload>(manifests, "StatefulSet"), ...ofKind<Workload>(manifests, "Deployment")];
    const images = Object.fromEntries(workloads.map((w) => [w.metadata.name, container(w).image]));
    expect(images).toEqual({
      "soc-pipeline-kafka": "apache/kafka:3.9.2",
      "soc-pipeline-elasticsearch": expect.stringMatching(
        /^docker\.elastic\.co\/elasticsearch\/elasticsearch:8\.19\.\d+$/,
      ),
      "soc-pipeline-redis": "redis:7-alpine",
    });
    for (const w of workloads)
      expect(container(w).securityContext).toMatchObject({
        allowPrivilegeEscalation: false,
        capabilities: { drop: ["ALL"] },
      });
    expect(
      ofKind(manifests, "Service")
        .map((s) => s.metadata.name)
        .sort(),
    ).toEqual(["soc-pipeline-elasticsearch", "soc-pipeline-kafka", "soc-pipeline-redis"]);
    expect(pipelineOf(manifests).spec).toMatchObject({
      kafka: { brokers: ["soc-pipeline-kafka:9092"] },
      elasticsearch: { url: "http://soc-pipeline-elasticsearch:9200", index: "processed_logs" },
      redis: { url: "redis://soc-pipeline-redis:6379" },
    });
  });

  it("passes credentials through as Secret references and network isolation settings into a spec the operator accepts", () => {
    const pipeline = {
      kafka: {
        brokers: ["kafka:9093"],
        tls: { caSecretRef: { name: "kafka-ca", key: "ca.crt" } },
        sasl: {
          mechanism: "SCRAM-SHA-512",
          username: "soc",
          passwordSecretRef: { name: "kafka-soc", key: "password" },
        },
      },
      elasticsearch: {
        url: "https://es:9200",
        apiKeySecretRef: { name: "es", key: "api-key" },
        caSecretRef: { name: "es", key: "ca.crt" },
      },
      redis: { url: "rediss://redis:6380", username: "soc", passwordSecretRef: { name: "redis", key: "password" } },
      networkPolicy: {
        ingressFrom: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "ingress-nginx" } } }],
        monitoringNamespace: "monitoring",
        backends: { cidrs: ["10.20.0.0/16"] },
      },
    };
    const spec = pipelineOf(render(PIPELINE_CHART, ["--set-json", `pipeline=${JSON.stringify(pipeline)}`])).spec;
    expect(spec).toMatchObject(pipeline);
    expect(socPipelineSpec.safeParse(spec).error).toBeUndefined();
  });

  it("renders IpWhitelists for the pipeline", () => {
    const entries = [{ ip: "10.0.0.0/8", comment: "office" }, { ip: "2001:db8::1" }];
    const manifests = render(PIPELINE_CHART, [
      "--set-json",
      `ipWhitelists=${JSON.stringify([{ name: "office", entries }])}`,
    ]);
    const whitelist = one<CustomResource>(manifests, "IpWhitelist");
    expect(whitelist.metadata.name).toBe("soc-pipeline-office");
    expect(whitelist.spec).toEqual({ pipelineRef: { name: pipelineOf(manifests).metadata.name }, entries });
    expect(ipWhitelistSpec.safeParse(whitelist.spec).error).toBeUndefined();
  });

  it.each([
    ["a negative replica count", ["--set", "pipeline.api.replicas=-1"]],
    ["a number of the wrong type", ["--set-string", "pipeline.worker.autoscaling.maxReplicas=six"]],
    ["an unknown offset reset policy", ["--set", "pipeline.worker.autoscaling.offsetResetPolicy=sometimes"]],
    ["an unknown collector type", ["--set-json", 'pipeline.collectors=[{"name":"x","type":"splunk"}]']],
    ["a field the spec does not have", ["--set", "pipeline.api.replica=2"]],
    ["an unknown top-level key", ["--set", "kafka.brokers={a:9092}"]],
    ["a whitelist entry that is no IP", ["--set-json", 'ipWhitelists=[{"name":"x","entries":[{"ip":"example.com"}]}]']],
    ["a non-boolean dev.enabled", ["--set-string", "dev.enabled=yes"]],
    [
      "an unknown Kafka SASL mechanism",
      [
        "--set",
        "pipeline.kafka.sasl.mechanism=GSSAPI,pipeline.kafka.sasl.passwordSecretRef.name=k,pipeline.kafka.sasl.passwordSecretRef.key=p",
      ],
    ],
    [
      "AWS_MSK_IAM without tls",
      ["--set", "pipeline.kafka.sasl.mechanism=AWS_MSK_IAM,pipeline.kafka.sasl.region=eu-west-1"],
    ],
    [
      "AWS_MSK_IAM without a region",
      ["--set-json", "pipeline.kafka.tls={}", "--set", "pipeline.kafka.sasl.mechanism=AWS_MSK_IAM"],
    ],
    [
      "a Kafka SCRAM user without a password",
      ["--set", "pipeline.kafka.sasl.mechanism=SCRAM-SHA-512,pipeline.kafka.sasl.username=u"],
    ],
    ["an ingress source that selects nothing", ["--set-json", "pipeline.networkPolicy.ingressFrom=[{}]"]],
    ["a trace endpoint that is not http(s)", ["--set", "pipeline.telemetry.endpoint=grpc://otel:4317"]],
    ["credentials in the trace endpoint", ["--set", "pipeline.telemetry.endpoint=https://user:token@otel:4318"]],
    ["a sampling ratio above one", ["--set", "pipeline.telemetry.samplingRatio=2"]],
  ])("rejects %s through values.schema.json", (_what, values) => {
    expect(renderError(PIPELINE_CHART, values)).toMatch(/schema/i);
  });
});
