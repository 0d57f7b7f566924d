/**
 * Test harness on a real API server (scripts/kube/up.sh: etcd + kube-apiserver +
 * kube-controller-manager on loopback, envtest style). Each suite gets its own namespace; the
 * operator runs in-process against it with short watch periods, or as a real process.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { connect, createServer, type AddressInfo, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLogger, silentLogger, type Logger } from "@soc/shared";
import { createKafkaBus, PLAINTEXT } from "@soc/shared/kafka";
import { eventually, uniqueName } from "@soc/shared/testing";
import { stringify } from "yaml";
import { Operator } from "../src/controller/operator.ts";
import { createKubeClient, loadKubeConfig, type KubeClient, type KubeObject } from "../src/kube/client.ts";
import { createEventRecorder } from "../src/kube/events.ts";
import { withRetrySync, type RetryPolicy } from "../src/kube/retry.ts";
import { isTransient } from "../src/kube/transient.ts";
import { kubeTime } from "../src/kube/time.ts";
import { createOperatorMetrics, type OperatorMetrics } from "../src/metrics.ts";
import { BusPool } from "../src/kafka/bus-pool.ts";
import { OPEN_POLICY, type BrokerPolicy } from "../src/kafka/broker-policy.ts";
import { PipelineBuses } from "../src/kafka/pipeline-buses.ts";
import { kubeSecretReader } from "../src/kafka/pipeline-credentials.ts";

export const REPO_ROOT = join(import.meta.dirname, "..", "..");
export const kubeEnv = {
  kubeconfig: process.env.KUBECONFIG,
  kubectl: process.env.KUBECTL,
  helm: process.env.HELM,
  /** scripts/kube/kstatus: the verdict Flux and kpt compute from an object's status. */
  kstatus: process.env.KSTATUS_CHECK,
  kafkaBroker: process.env.KAFKA_BROKER,
};

export const missingKube = (): boolean => {
  const absent = kubeEnv.kubeconfig === undefined || kubeEnv.kubectl === undefined;
  if (absent) console.warn("skipping Kubernetes tests: start the control plane with 'make kube-up' and source its env");
  return absent;
};
export const missingKafka = (): boolean => kubeEnv.kafkaBroker === undefined || kubeEnv.kafkaBroker === "";

export interface CommandResult {
  status: number;
  stdout: string;
  stderr: string;
}

export function run(command: string, args: string[], input?: string): CommandResult {
  const result = spawnSync(command, args, { input, encoding: "utf8", cwd: REPO_ROOT, timeout: 120_000 });
  return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

/**
 * Longer than the operator's: on a fresh machine the API server may still be warming caches (or
 * etcd settling) when the first suites start, and a test would rather wait than fail.
 */
const KUBECTL_RETRY: RetryPolicy = {
  initialDelayMs: 200,
  maxDelayMs: 3_000,
  deadlineMs: 30_000,
  maxRetryAfterMs: 5_000,
};

/** A failed kubectl run; its stderr is the message src/kube/transient.ts classifies. */
class KubectlFailure extends Error {
  constructor(readonly result: CommandResult) {
    super(result.stderr);
  }
}

function kubectlOnce(args: string[], input?: string): CommandResult {
  const result = run(kubeEnv.kubectl ?? "kubectl", args, input);
  if (result.status !== 0) throw new KubectlFailure(result);
  return result;
}

/** kubectl, repeated while its failure is `retryable` (within KUBECTL_RETRY); the last result, failed or not. */
function kubectlRetried(
  args: string[],
  input: string | undefined,
  retryable: (error: unknown) => boolean,
): CommandResult {
  try {
    return withRetrySync(() => kubectlOnce(args, input), KUBECTL_RETRY, {
      retryable,
      // kubectl's own summary is the last line, after client-go's log noise.
      onRetry: (error, delayMs) =>
        console.warn(
          `kubectl ${args.join(" ")}: ${String(error instanceof Error ? error.message : error)
            .trim()
            .split("\n")
            .at(-1)}; retrying in ${delayMs} ms`,
        ),
    });
  } catch (error) {
    if (error instanceof KubectlFailure) return error.result;
    throw error;
  }
}

/** kubectl, repeated while the API server answers "not now" (starting, storage initializing, leader change…). */
export const kubectl = (args: string[], input?: string): CommandResult => kubectlRetried(args, input, isTransient);

/** kubectl that must succeed; returns stdout. */
export function kubectlOk(args: string[], input?: string): string {
  const result = kubectl(args, input);
  if (result.status !== 0) throw new Error(`kubectl ${args.join(" ")} failed: ${result.stderr}`);
  return result.stdout;
}

export const applyYaml = (objects: object[], namespace?: string): string =>
  kubectlOk(
    ["apply", ...(namespace === undefined ? [] : ["-n", namespace]), "-f", "-"],
    objects.map((o) => stringify(o)).join("---\n"),
  );

const CRD_PLURALS = ["socpipelines", "ipwhitelists"];

export function applyCrds(): void {
  kubectlOk(["apply", "--server-side", "--force-conflicts", "-f", join(REPO_ROOT, "crds")]);
  kubectlOk([
    "wait",
    "--for=condition=Established",
    ...CRD_PLURALS.map((plural) => `crd/${plural}.socpipeline.io`),
    "--timeout=30s",
  ]);
  // Established is not yet usable: until the new resource's watch cache is filled, lists answer
  // "storage is (re)initializing", and a handler that has not seen the CRD yet answers 404.
  const notServedYet = (error: unknown): boolean =>
    isTransient(error) || (error instanceof KubectlFailure && error.message.includes("(NotFound)"));
  for (const plural of CRD_PLURALS) {
    const listed = kubectlRetried(
      ["get", "--raw", `/apis/socpipeline.io/v1alpha1/${plural}?limit=1`],
      undefined,
      notServedYet,
    );
    if (listed.status !== 0) throw new Error(`${plural} not served after the CRD was Established: ${listed.stderr}`);
  }
}

export function createNamespace(prefix: string, labels: Record<string, string> = {}): string {
  const name = uniqueName(prefix).slice(0, 40);
  applyYaml([{ apiVersion: "v1", kind: "Namespace", metadata: { name, labels } }]);
  return name;
}

export function deleteNamespace(name: string): void {
  kubectl(["delete", "namespace", name, "--wait=false"]);
}

export function getJson<T = KubeObject>(namespace: string, resource: string): T {
  return JSON.parse(kubectlOk(["get", "-n", namespace, resource, "-o", "json", "--show-managed-fields"])) as T;
}

/** How Flux's kstatus reads the object now: Current, InProgress, Failed… */
export function kstatus(namespace: string, resource: string): { status: string; message: string } {
  const result = run(
    kubeEnv.kstatus ?? "kstatus-check",
    [],
    kubectlOk(["get", "-n", namespace, resource, "-o", "json"]),
  );
  if (result.status !== 0) throw new Error(`kstatus-check failed: ${result.stderr}`);
  return JSON.parse(result.stdout) as { status: string; message: string };
}

export interface InProcessOperator {
  operator: Operator;
  kube: KubeClient;
  metrics: OperatorMetrics;
  stop(): Promise<void>;
}

const testLogger = (): Logger =>
  process.env.OPERATOR_TEST_LOGS === "1" ? createLogger("operator-test", "debug") : silentLogger();

/** The operator in this process, watching one namespace (or `namespaces`), with short watch periods. */
export async function startOperator(
  namespace: string,
  logger: Logger = testLogger(),
  options: {
    namespaces?: string[];
    imageRegistries?: string[];
    resyncSeconds?: number;
    brokerPolicy?: BrokerPolicy;
    requirePipelineCredentials?: boolean;
  } = {},
): Promise<InProcessOperator> {
  const kube = createKubeClient(loadKubeConfig());
  const metrics = createOperatorMetrics();
  const buses = new PipelineBuses({
    pool: new BusPool(logger),
    // The soc-operator prefix, as in main.ts: the operator's Kafka ACLs name its consumer groups by it.
    create: ({ brokers, security, allowConnection }) =>
      createKafkaBus({ brokers, security, allowConnection, clientId: `soc-operator-test-${namespace}`, logger }),
    readSecret: kubeSecretReader(kube),
    policy: options.brokerPolicy ?? OPEN_POLICY,
    operatorSecurity: PLAINTEXT,
    requirePipelineCredentials: options.requirePipelineCredentials ?? false,
    logger,
  });
  const operator = new Operator({
    kube,
    buses,
    events: createEventRecorder(kube, "operator-test", logger),
    metrics,
    logger,
    namespaces: options.namespaces ?? [namespace],
    imageRegistries: options.imageRegistries ?? [],
    informer: { watchTimeoutSeconds: 30, graceSeconds: 5, resyncSeconds: options.resyncSeconds ?? 60 },
  });
  await operator.start();
  return {
    operator,
    kube,
    metrics,
    async stop() {
      await operator.stop();
      await buses.close();
    },
  };
}

/** The operator as its own process (`operator/src/main.ts`), as a Deployment would run it. */
export function spawnOperator(env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, ["--import", "tsx", join(REPO_ROOT, "operator/src/main.ts")], {
    cwd: REPO_ROOT,
    env: { ...process.env, LOG_LEVEL: "info", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
}

/** A minimal valid SocPipeline; `spec` is merged over it. */
export function pipelineManifest(name: string, namespace: string, spec: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: "socpipeline.io/v1alpha1",
    kind: "SocPipeline",
    metadata: { name, namespace },
    spec: {
      kafka: {
        brokers: [kubeEnv.kafkaBroker ?? "127.0.0.1:19092"],
        topics: {
          logs: `${namespace}-logs`,
          configUpdates: `${namespace}-config-updates`,
          highPriorityAlerts: `${namespace}-alerts`,
        },
      },
      api: { apiKeysSecretRef: { name: "soc-api-keys", key: "keys" } },
      ...spec,
    },
  };
}

/** What a kubelet would report: every pod of the namespace Running and Ready. */
export function markPodsReady(namespace: string): number {
  const pods = getJson<{ items: KubeObject[] }>(namespace, "pods").items;
  for (const pod of pods) {
    const status = {
      phase: "Running",
      conditions: [{ type: "Ready", status: "True", lastTransitionTime: kubeTime(new Date()) }],
    };
    kubectlOk([
      "patch",
      "-n",
      namespace,
      "pod",
      pod.metadata.name,
      "--subresource=status",
      "--type=merge",
      "-p",
      JSON.stringify({ status }),
    ]);
  }
  return pods.length;
}

export { eventually };

/** A port nobody listens on right now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** GET on loopback: status and body, or status 0 when nothing answers. */
export async function httpGet(url: string): Promise<{ status: number; body: string }> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(3_000) });
    return { status: response.status, body: await response.text() };
  } catch {
    return { status: 0, body: "" };
  }
}

/** The value of one Prometheus sample (labels matched as a substring), or 0 when absent. */
export function metricValue(text: string, name: string, labels = ""): number {
  const line = text.split("\n").find((l) => l.startsWith(name) && l.includes(labels) && !l.startsWith("#"));
  return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(" ") + 1));
}

/**
 * A TCP proxy in front of the API server that can freeze: connections stay open but no byte
 * passes, which is how a watch that "stops silently" looks from the client.
 */
export async function startFreezableProxy(
  target: URL,
): Promise<{ url: string; freeze(): void; thaw(): void; close(): Promise<void> }> {
  let frozen = false;
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(Number(target.port), target.hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on("close", () => sockets.delete(socket));
      socket.on("error", () => socket.destroy());
    }
    client.on("data", (chunk) => frozen || upstream.write(chunk));
    upstream.on("data", (chunk) => frozen || client.write(chunk));
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}`,
    freeze: () => (frozen = true),
    thaw: () => {
      frozen = false;
      // Connections that lost bytes while frozen are broken: drop them as a network would.
      for (const socket of sockets) socket.destroy();
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** A copy of the kubeconfig whose server is `server`. */
export function kubeconfigFor(server: string): string {
  const original = readFileSync(kubeEnv.kubeconfig ?? "", "utf8");
  const path = join(tmpdir(), `kubeconfig-${process.pid}-${Date.now()}`);
  writeFileSync(path, original.replace(/server: https:\/\/[^\s]+/, `server: ${server}`), { mode: 0o600 });
  return path;
}
