/**
 * Which Kafka brokers the operator may connect to for a pipeline. The operator connects from its
 * own network position, which may reach clusters the pipeline's namespace cannot; without a policy
 * a SocPipeline author could make it write to another tenant's Kafka or probe ports. Pure: the
 * policy is parsed once from the operator's settings and consulted before every connection (the
 * bootstrap brokers named in the spec and every broker the cluster's metadata then advertises).
 */
import { BlockList, isIP } from "node:net";
import { z } from "zod";
import { booleanFlag } from "@soc/shared";

export interface BrokerRule {
  /** Applies to pipelines of this namespace only; every namespace when absent. */
  namespace?: string;
  host:
    | { kind: "name"; name: string }
    | { kind: "suffix"; suffix: string }
    | { kind: "cidr"; blocks: BlockList; text: string };
  /** Any port when absent. */
  port?: number;
}

export interface BrokerPolicy {
  rules: BrokerRule[];
  /** Also allow `<service>.<pipeline namespace>.svc[.cluster.local]` (and names below it, e.g. a StatefulSet's pods). */
  inNamespaceServices: boolean;
}

export const OPEN_POLICY: BrokerPolicy = { rules: [], inNamespaceServices: false };

/** True when the policy allows every broker (the behaviour before the policy existed). */
export const isOpen = (policy: BrokerPolicy): boolean => policy.rules.length === 0 && !policy.inNamespaceServices;

const NAMESPACE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

const normalizeHost = (host: string): string => host.trim().toLowerCase().replace(/\.$/, "");

function parsePort(text: string): number | string {
  if (!/^\d{1,5}$/.test(text) || Number(text) < 1 || Number(text) > 65_535) return `port ${text} is not 1-65535`;
  return Number(text);
}

/** `host`, `host:port`, `[v6]:port`, `a.b.c.d/n[:port]`, `[v6/n]:port`. */
function splitHostPort(text: string): { host: string; port?: string } {
  const bracketed = /^\[([^\]]+)\](?::(.*))?$/.exec(text);
  if (bracketed !== null)
    return { host: bracketed[1] ?? "", ...(bracketed[2] === undefined ? {} : { port: bracketed[2] }) };
  const colons = text.split(":").length - 1;
  // More than one colon without brackets: a bare IPv6 address or block, no port.
  if (colons !== 1) return { host: text };
  const [host = "", port = ""] = text.split(":");
  return { host, port };
}

function parseHost(text: string): BrokerRule["host"] | string {
  const host = normalizeHost(text);
  const slash = host.indexOf("/");
  if (slash >= 0) {
    const address = host.slice(0, slash);
    const bits = Number(host.slice(slash + 1));
    const family = isIP(address);
    if (family === 0 || !Number.isInteger(bits) || bits < 0 || bits > (family === 4 ? 32 : 128))
      return `${text} is not a CIDR block`;
    const blocks = new BlockList();
    blocks.addSubnet(address, bits, family === 4 ? "ipv4" : "ipv6");
    return { kind: "cidr", blocks, text: host };
  }
  if (isIP(host) !== 0) {
    const blocks = new BlockList();
    blocks.addAddress(host, isIP(host) === 4 ? "ipv4" : "ipv6");
    return { kind: "cidr", blocks, text: host };
  }
  if (host.startsWith("*.")) {
    const suffix = host.slice(2);
    return DNS_NAME.test(suffix) && suffix.includes(".")
      ? { kind: "suffix", suffix }
      : `${text}: a wildcard needs a domain of at least two labels (*.kafka.example.com)`;
  }
  return DNS_NAME.test(host) ? { kind: "name", name: host } : `${text} is not a host name, address or CIDR block`;
}

/** One entry of KAFKA_BROKER_ALLOWLIST: `[namespace=]host[:port]`; a problem as text. */
export function parseBrokerRule(entry: string): BrokerRule | string {
  const trimmed = entry.trim();
  const equals = trimmed.indexOf("=");
  const namespace = equals >= 0 ? trimmed.slice(0, equals) : undefined;
  if (namespace !== undefined && !NAMESPACE.test(namespace)) return `${entry}: ${namespace} is not a namespace name`;
  const { host, port } = splitHostPort(trimmed.slice(equals + 1));
  const parsedHost = parseHost(host);
  if (typeof parsedHost === "string") return `${entry}: ${parsedHost}`;
  const parsedPort = port === undefined ? undefined : parsePort(port);
  if (typeof parsedPort === "string") return `${entry}: ${parsedPort}`;
  return {
    ...(namespace === undefined ? {} : { namespace }),
    host: parsedHost,
    ...(parsedPort === undefined ? {} : { port: parsedPort }),
  };
}

/** The operator's settings, validated at start-up: every bad entry is named. */
export const brokerPolicyEnvShape = {
  /** Comma-separated `[namespace=]host[:port]`: host names, `*.domain` wildcards, addresses or CIDR blocks. */
  KAFKA_BROKER_ALLOWLIST: z
    .string()
    .default("")
    .transform((text, ctx) => {
      const rules: BrokerRule[] = [];
      for (const entry of text.split(",").filter((part) => part.trim() !== "")) {
        const rule = parseBrokerRule(entry);
        if (typeof rule === "string") ctx.addIssue({ code: "custom", message: rule });
        else rules.push(rule);
      }
      return rules;
    }),
  /** Also allow Services of the pipeline's own namespace, by their cluster DNS names. */
  KAFKA_BROKERS_IN_NAMESPACE: booleanFlag.default(false),
};

export const brokerPolicyOf = (env: {
  KAFKA_BROKER_ALLOWLIST: BrokerRule[];
  KAFKA_BROKERS_IN_NAMESPACE: boolean;
}): BrokerPolicy => ({
  rules: env.KAFKA_BROKER_ALLOWLIST,
  inNamespaceServices: env.KAFKA_BROKERS_IN_NAMESPACE,
});

function hostMatches(rule: BrokerRule["host"], host: string): boolean {
  switch (rule.kind) {
    case "name":
      return host === rule.name;
    case "suffix":
      return host.endsWith(`.${rule.suffix}`);
    case "cidr": {
      const family = isIP(host);
      // Only an address is matched against a block: resolving a name here and connecting later
      // would let DNS answer differently in between.
      return family !== 0 && rule.blocks.check(host, family === 4 ? "ipv4" : "ipv6");
    }
  }
}

/** `<svc>.<namespace>.svc` or `<svc>.<namespace>.svc.cluster.local`, or a name below one (`kafka-0.kafka-headless.<namespace>.svc`). */
export function isServiceOfNamespace(host: string, namespace: string): boolean {
  const name = normalizeHost(host);
  return [`.${namespace}.svc`, `.${namespace}.svc.cluster.local`].some(
    (suffix) => name.endsWith(suffix) && DNS_NAME.test(name.slice(0, -suffix.length)),
  );
}

/** May the operator open a connection to `host:port` for a pipeline of `namespace`? */
export function brokerAllowed(policy: BrokerPolicy, namespace: string, host: string, port: number): boolean {
  if (isOpen(policy)) return true;
  const name = normalizeHost(host);
  if (policy.inNamespaceServices && isServiceOfNamespace(name, namespace)) return true;
  return policy.rules.some(
    (rule) =>
      (rule.namespace === undefined || rule.namespace === namespace) &&
      (rule.port === undefined || rule.port === port) &&
      hostMatches(rule.host, name),
  );
}

/** The bootstrap brokers of a spec (`host:port`, as the CRD validates them) the policy refuses. */
export function refusedBrokers(policy: BrokerPolicy, namespace: string, brokers: readonly string[]): string[] {
  return brokers.filter((broker) => {
    const colon = broker.lastIndexOf(":");
    return !brokerAllowed(policy, namespace, broker.slice(0, colon), Number(broker.slice(colon + 1)));
  });
}

/** For the refusal's condition and Event: what the pipeline may name instead. */
export function describePolicy(policy: BrokerPolicy, namespace: string): string {
  const allowed = policy.rules
    .filter((rule) => rule.namespace === undefined || rule.namespace === namespace)
    .map((rule) => {
      const host =
        rule.host.kind === "name"
          ? rule.host.name
          : rule.host.kind === "suffix"
            ? `*.${rule.host.suffix}`
            : rule.host.text;
      if (rule.port === undefined) return host;
      return host.includes(":") ? `[${host}]:${rule.port}` : `${host}:${rule.port}`;
    });
  if (policy.inNamespaceServices) allowed.push(`<service>.${namespace}.svc[.cluster.local]:<port>`);
  return allowed.length === 0 ? "none for this namespace" : allowed.join(", ");
}
