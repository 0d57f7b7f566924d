import { describe, expect, it } from "vitest";
import { socPipelineObject, type SocPipeline } from "../api/v1alpha1/index.ts";
import type { KubeObject } from "../kube/client.ts";
import { desiredChildren } from "./children.ts";
import type { NetworkPolicySpec } from "./network-policies.ts";

function pipeline(spec: Record<string, unknown> = {}): SocPipeline {
  return socPipelineObject.parse({
    apiVersion: "socpipeline.io/v1alpha1",
    kind: "SocPipeline",
    metadata: { name: "shop", namespace: "soc", uid: "uid-1", generation: 1, resourceVersion: "1" },
    spec: {
      kafka: { brokers: ["kafka-0:9092", "kafka-1:9094"] },
      api: { apiKeysSecretRef: { name: "keys", key: "api" } },
      ...spec,
    },
  });
}

const policies = (p: SocPipeline): Record<string, NetworkPolicySpec> =>
  Object.fromEntries(
    desiredChildren(p)
      .filter((o: KubeObject) => o.kind === "NetworkPolicy")
      .map((o) => [o.metadata.name.replace("shop-", ""), o.spec as NetworkPolicySpec]),
  );
/** "port/protocol -> peers" per egress rule, peers summarised. */
const egress = (policy: NetworkPolicySpec | undefined): string[] =>
  (policy?.egress ?? []).map(
    (rule) =>
      `${rule.ports.map((p) => `${p.port}/${p.protocol}`).join(",")} -> ${rule.to === undefined ? "any" : rule.to.map((peer) => peer.ipBlock?.cidr ?? JSON.stringify({ ...peer })).join(" ")}`,
  );
const ingressPorts = (policy: NetworkPolicySpec | undefined): number[] =>
  (policy?.ingress ?? []).flatMap((rule) => rule.ports.map((p) => p.port));

const DNS = `53/UDP,53/TCP -> ${JSON.stringify({ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } }, podSelector: { matchLabels: { "k8s-app": "kube-dns" } } })}`;
const OWN_PODS = {
  podSelector: { matchLabels: { "app.kubernetes.io/name": "soc-pipeline", "app.kubernetes.io/instance": "shop" } },
};

describe("NetworkPolicies", () => {
  it("deny every connection to and from the pipeline's pods by default, both ways", () => {
    expect(policies(pipeline())["default-deny"]).toEqual({
      podSelector: OWN_PODS.podSelector,
      policyTypes: ["Ingress", "Egress"],
      ingress: [],
      egress: [],
    });
    for (const policy of Object.values(policies(pipeline()))) expect(policy.policyTypes).toEqual(["Ingress", "Egress"]);
  });

  it("let only the pipeline's own pods reach the API when the spec names no source, and no one reach metrics-only ports", () => {
    const all = policies(pipeline({ collectors: [{ name: "pg", type: "postgres" }] }));
    expect(all.api?.ingress).toEqual([{ from: [OWN_PODS], ports: [{ port: 8000, protocol: "TCP" }] }]);
    for (const component of ["worker", "alerter", "collector-pg"])
      expect(all[component]?.ingress, component).toEqual([]);
  });

  it("let the named ingress controller reach the API, dashboard and drains, and the monitoring namespace every metrics port", () => {
    const controller = {
      namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "ingress-nginx" } },
      podSelector: { matchLabels: { "app.kubernetes.io/name": "ingress-nginx" } },
    };
    const all = policies(
      pipeline({
        networkPolicy: { ingressFrom: [controller], monitoringNamespace: "monitoring" },
        dashboard: { enabled: true, apiBaseUrl: "https://soc.example.com" },
        collectors: [
          { name: "vercel", type: "vercel" },
          { name: "pg", type: "postgres" },
        ],
      }),
    );
    const monitoring = { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } } };
    for (const [component, port] of [
      ["api", 8000],
      ["dashboard", 3000],
      ["collector-vercel", 8080],
    ] as const) {
      expect(all[component]?.ingress, component).toEqual([
        { from: [OWN_PODS, controller, monitoring], ports: [{ port, protocol: "TCP" }] },
      ]);
    }
    for (const [component, port] of [
      ["worker", 9464],
      ["alerter", 9465],
      ["collector-pg", 8080],
    ] as const) {
      expect(all[component]?.ingress, component).toEqual([{ from: [monitoring], ports: [{ port, protocol: "TCP" }] }]);
    }
  });

  it.each([
    {
      case: "worker: DNS, then Kafka, Elasticsearch and Redis ports (from the brokers and URLs) to any address when the spec names none",
      spec: { elasticsearch: { url: "https://es.example.com" }, redis: { url: "redis://redis:6380" } },
      component: "worker",
      rules: [DNS, "443/TCP,6380/TCP,9092/TCP,9094/TCP -> any"],
    },
    {
      case: "worker: the backends' ports only to the CIDRs and namespaces the spec names",
      spec: {
        networkPolicy: {
          backends: { cidrs: ["10.20.0.0/16", "10.30.0.5"], namespaceSelector: { matchLabels: { team: "data" } } },
        },
      },
      component: "worker",
      rules: [
        DNS,
        `6379/TCP,9092/TCP,9094/TCP,9200/TCP -> 10.20.0.0/16 10.30.0.5/32 ${JSON.stringify({ namespaceSelector: { matchLabels: { team: "data" } } })}`,
      ],
    },
    {
      case: "alerter: Kafka and Redis, and the notification hosts on 443 and SMTP outside the cluster, never the metadata address",
      spec: { alerter: { smtpUrlSecretRef: { name: "smtp", key: "url" }, emailTo: ["a@example.com"] } },
      component: "alerter",
      rules: [DNS, "6379/TCP,9092/TCP,9094/TCP -> any", "443/TCP,25/TCP,465/TCP,587/TCP -> 0.0.0.0/0 ::/0"],
    },
    {
      case: "reporter: Elasticsearch and SMTP only",
      spec: { reporter: { enabled: true, smtpUrlSecretRef: { name: "s", key: "u" }, emailTo: ["a@example.com"] } },
      component: "reporter",
      rules: [DNS, "9200/TCP -> any", "25/TCP,465/TCP,587/TCP -> 0.0.0.0/0 ::/0"],
    },
    {
      case: "scanner: Kafka, and GitHub on 443",
      spec: { credentialScanner: { enabled: true, githubTokenSecretRef: { name: "g", key: "t" }, queries: ["org:a"] } },
      component: "credential-scanner",
      rules: [DNS, "9092/TCP,9094/TCP -> any", "443/TCP -> 0.0.0.0/0 ::/0"],
    },
    {
      case: "a pulling collector with a provider API: Kafka and 443",
      spec: { collectors: [{ name: "fb", type: "firebase" }] },
      component: "collector-fb",
      rules: [DNS, "9092/TCP,9094/TCP -> any", "443/TCP -> 0.0.0.0/0 ::/0"],
    },
    {
      case: "the PostgreSQL collector reads files: Kafka only",
      spec: { collectors: [{ name: "pg", type: "postgres" }] },
      component: "collector-pg",
      rules: [DNS, "9092/TCP,9094/TCP -> any"],
    },
    {
      case: "worker with AWS_MSK_IAM: also STS on 443 outside the cluster, for the credentials that sign Kafka tokens",
      spec: {
        kafka: {
          brokers: ["b-1.msk.example.com:9098"],
          tls: {},
          sasl: { mechanism: "AWS_MSK_IAM", region: "eu-west-1" },
        },
      },
      component: "worker",
      rules: [DNS, "6379/TCP,9098/TCP,9200/TCP -> any", "443/TCP -> 0.0.0.0/0 ::/0"],
    },
    {
      case: "the dashboard calls nothing: no egress at all",
      spec: { dashboard: { enabled: true, apiBaseUrl: "https://soc.example.com" } },
      component: "dashboard",
      rules: [],
    },
  ])("allow egress per component — $case", ({ spec, component, rules }) => {
    expect(egress(policies(pipeline(spec))[component])).toEqual(rules);
  });

  it("keep the cloud metadata addresses out of the external egress", () => {
    const external = policies(pipeline()).alerter?.egress.at(-1)?.to ?? [];
    expect(external).toEqual([
      { ipBlock: { cidr: "0.0.0.0/0", except: ["169.254.0.0/16"] } },
      { ipBlock: { cidr: "::/0", except: ["fe80::/10", "fd00:ec2::254/128"] } },
    ]);
    expect(ingressPorts(policies(pipeline()).alerter)).toEqual([]);
  });
});
