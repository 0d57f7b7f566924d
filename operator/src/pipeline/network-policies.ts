/**
 * The NetworkPolicies of a pipeline: a default deny (ingress and egress) for all of its pods, and
 * per component what it needs: ingress to its port from the sources the spec names (or only the
 * monitoring namespace, for metrics), egress to DNS, to its backends' ports and to the outside on
 * the ports of the APIs it calls. Pure. Enforced only by a CNI that implements NetworkPolicy.
 */
import type { LabelSelector, SocPipelineSpec } from "../api/v1alpha1/index.ts";
import type { Backend, Component } from "./components.ts";

type Peer = {
  namespaceSelector?: LabelSelector;
  podSelector?: LabelSelector;
  ipBlock?: { cidr: string; except?: string[] };
};
type Port = { port: number; protocol: "TCP" | "UDP" };
export interface NetworkPolicySpec {
  podSelector: LabelSelector;
  policyTypes: ("Ingress" | "Egress")[];
  ingress: { from?: Peer[]; ports: Port[] }[];
  egress: { to?: Peer[]; ports: Port[] }[];
}

const tcp = (port: number): Port => ({ port, protocol: "TCP" });
const namespaceNamed = (name: string): LabelSelector => ({ matchLabels: { "kubernetes.io/metadata.name": name } });

/** Every pod of one pipeline (the labels its pod templates carry). */
export const pipelinePods = (pipeline: string): LabelSelector => ({
  matchLabels: { "app.kubernetes.io/name": "soc-pipeline", "app.kubernetes.io/instance": pipeline },
});

const DNS = {
  to: [{ namespaceSelector: namespaceNamed("kube-system"), podSelector: { matchLabels: { "k8s-app": "kube-dns" } } }],
  ports: [
    { port: 53, protocol: "UDP" },
    { port: 53, protocol: "TCP" },
  ] satisfies Port[],
};

/** Outside the cluster: any address but link-local and AWS's IPv6 metadata address, where clouds hand out instance credentials. */
const EXTERNAL: Peer[] = [
  { ipBlock: { cidr: "0.0.0.0/0", except: ["169.254.0.0/16"] } },
  { ipBlock: { cidr: "::/0", except: ["fe80::/10", "fd00:ec2::254/128"] } },
];

const DEFAULT_PORTS: Record<string, number> = { "http:": 80, "https:": 443 };
/** With AWS_MSK_IAM, the AWS SDK trades the pod's web identity token (IRSA) for credentials at STS over HTTPS. */
const STS_PORT = 443;

/** The port of a backend URL; the conventional one when the URL sits in a Secret (urlSecretRef) or names none. */
function urlPort(url: string | undefined, fallback: number): number {
  if (url === undefined) return fallback;
  const parsed = URL.parse(url);
  if (parsed === null) return fallback;
  return parsed.port === "" ? (DEFAULT_PORTS[parsed.protocol] ?? fallback) : Number(parsed.port);
}

export function backendPorts(spec: SocPipelineSpec): Record<Backend, number[]> {
  return {
    kafka: [...new Set(spec.kafka.brokers.map((broker) => Number(broker.slice(broker.lastIndexOf(":") + 1))))].sort(
      (a, b) => a - b,
    ),
    elasticsearch: [urlPort(spec.elasticsearch.url, 9200)],
    redis: [urlPort(spec.redis.url, 6379)],
  };
}

/** Where the backends are, as the spec names them; undefined (any address) when it names nothing. */
function backendPeers(spec: SocPipelineSpec): Peer[] | undefined {
  const { cidrs, namespaceSelector, podSelector } = spec.networkPolicy.backends;
  const peers: Peer[] = cidrs.map((cidr) => ({
    ipBlock: { cidr: cidr.includes("/") ? cidr : `${cidr}/${cidr.includes(":") ? 128 : 32}` },
  }));
  if (namespaceSelector !== undefined || podSelector !== undefined)
    peers.push({
      ...(namespaceSelector === undefined ? {} : { namespaceSelector }),
      ...(podSelector === undefined ? {} : { podSelector }),
    });
  return peers.length === 0 ? undefined : peers;
}

/** Denies every connection to and from the pipeline's pods that no other policy allows. */
export function defaultDeny(pipeline: string): NetworkPolicySpec {
  return { podSelector: pipelinePods(pipeline), policyTypes: ["Ingress", "Egress"], ingress: [], egress: [] };
}

export function componentPolicy(
  pipeline: string,
  spec: SocPipelineSpec,
  component: Component,
  podSelector: LabelSelector,
): NetworkPolicySpec {
  const { ingressFrom, monitoringNamespace } = spec.networkPolicy;
  const monitoring: Peer[] =
    monitoringNamespace === undefined ? [] : [{ namespaceSelector: namespaceNamed(monitoringNamespace) }];
  const sources: Peer[] =
    component.ingress === "clients"
      ? [{ podSelector: pipelinePods(pipeline) }, ...ingressFrom, ...monitoring]
      : monitoring;
  const port = component.port;
  const listenPorts = (component.listenPorts ?? []).map((listen): Port => ({
    port: listen.containerPort,
    protocol: listen.protocol,
  }));
  const ingress =
    port === undefined || sources.length === 0 ? [] : [{ from: sources, ports: [tcp(port.number), ...listenPorts] }];

  const ports = backendPorts(spec);
  const backendPortList = [...new Set(component.backends.flatMap((backend) => ports[backend]))].sort((a, b) => a - b);
  const to = backendPeers(spec);
  const signsKafkaTokens = component.backends.includes("kafka") && spec.kafka.sasl?.mechanism === "AWS_MSK_IAM";
  const externalPorts = signsKafkaTokens
    ? [...new Set([...component.externalPorts, STS_PORT])]
    : component.externalPorts;
  const egress = [
    ...(backendPortList.length > 0 ? [{ ...(to === undefined ? {} : { to }), ports: backendPortList.map(tcp) }] : []),
    ...(externalPorts.length > 0 ? [{ to: EXTERNAL, ports: externalPorts.map(tcp) }] : []),
  ];
  // Whoever calls nothing needs no names resolved either.
  return {
    podSelector,
    policyTypes: ["Ingress", "Egress"],
    ingress,
    egress: egress.length === 0 ? [] : [DNS, ...egress],
  };
}
