/**
 * The operator as real processes, as Deployments run it: two replicas never both reconcile, the
 * survivor takes over when the leader dies, a graceful stop hands the Lease over at once, and
 * /healthz fails while watches are dead (then recovers and catches up).
 */
import type { ChildProcess } from "node:child_process";
import { once } from "node:events";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { KubeObject } from "../src/kube/client.ts";
import {
  applyCrds,
  applyYaml,
  createNamespace,
  deleteNamespace,
  eventually,
  freePort,
  getJson,
  httpGet,
  kubeconfigFor,
  kubeEnv,
  kubectlOk,
  metricValue,
  missingKafka,
  missingKube,
  pipelineManifest,
  spawnOperator,
  startFreezableProxy,
} from "./harness.ts";

interface Replica {
  name: string;
  process: ChildProcess;
  port: number;
  metrics(): Promise<string>;
}

// Long enough that a graceful handover (release, then one retry period) is clearly shorter.
const LEASE = { LEASE_DURATION_SECONDS: "8", LEASE_RENEW_DEADLINE_SECONDS: "6", LEASE_RETRY_PERIOD_SECONDS: "1" };

describe.skipIf(missingKube() || missingKafka())("operator processes on a real API server", () => {
  let namespace: string;
  const replicas: Replica[] = [];

  async function startReplica(name: string, env: Record<string, string> = {}): Promise<Replica> {
    const port = await freePort();
    const child = spawnOperator({
      POD_NAME: name,
      OPERATOR_PORT: String(port),
      WATCH_NAMESPACE: namespace,
      LEADER_ELECTION_NAMESPACE: namespace,
      LOG_LEVEL: process.env.OPERATOR_TEST_LOGS === "1" ? "info" : "warn",
      ...LEASE,
      ...env,
    });
    child.stderr?.on("data", (chunk: Buffer) => process.stderr.write(`[${name}] ${chunk.toString()}`));
    if (process.env.OPERATOR_TEST_LOGS === "1")
      child.stdout?.on("data", (chunk: Buffer) => process.stderr.write(`[${name}] ${chunk.toString()}`));
    const replica = {
      name,
      process: child,
      port,
      metrics: async () => (await httpGet(`http://127.0.0.1:${port}/metrics`)).body,
    };
    replicas.push(replica);
    await eventually(async () => expect((await httpGet(`http://127.0.0.1:${port}/healthz`)).status).toBe(200), {
      timeoutMs: 30_000,
    });
    return replica;
  }
  /** Reconciles this replica ran, whatever their result. */
  const reconciles = async (replica: Replica): Promise<number> => {
    const text = await replica.metrics();
    return metricValue(text, "controller_runtime_reconcile_time_seconds_count", 'controller="socpipeline"');
  };
  const holder = (): string =>
    getJson<KubeObject & { spec?: { holderIdentity?: string } }>(namespace, "lease/soc-operator").spec
      ?.holderIdentity ?? "";
  const apiReplicas = (): number =>
    getJson<KubeObject & { spec: { replicas: number } }>(namespace, "deployment/duo-api").spec.replicas;

  beforeAll(() => {
    applyCrds();
    namespace = createNamespace("proc");
  });
  afterEach(async () => {
    for (const replica of replicas.splice(0)) {
      if (replica.process.exitCode === null && replica.process.signalCode === null) {
        replica.process.kill("SIGKILL");
        await once(replica.process, "exit");
      }
    }
  });
  afterAll(() => deleteNamespace(namespace));

  it("lets only the Lease holder reconcile, fails over when it dies, and hands over at once on SIGTERM", async () => {
    const first = await startReplica("replica-a");
    await eventually(() => expect(holder()).toBe("replica-a"), { timeoutMs: 10_000 });
    const second = await startReplica("replica-b");
    applyYaml([pipelineManifest("duo", namespace, { worker: { autoscaling: { enabled: false } } })], namespace);
    await eventually(() => expect(apiReplicas()).toBe(2), { timeoutMs: 20_000 });

    // Watch both for a while: the standby must not reconcile even once.
    for (let i = 0; i < 10; i++) {
      kubectlOk([
        "patch",
        "-n",
        namespace,
        "socpipeline/duo",
        "--type=merge",
        "-p",
        JSON.stringify({ spec: { api: { replicas: 2 + (i % 2) } } }),
      ]);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(await reconciles(second)).toBe(0);
    }
    expect(await reconciles(first)).toBeGreaterThan(0);
    expect(metricValue(await first.metrics(), "soc_operator_leader")).toBe(1);
    expect(metricValue(await second.metrics(), "soc_operator_leader")).toBe(0);

    // The leader dies without a word: the standby waits out the lease, then takes over.
    const killed = Date.now();
    first.process.kill("SIGKILL");
    await eventually(() => expect(holder()).toBe("replica-b"), { timeoutMs: 15_000, intervalMs: 100 });
    const takeoverMs = Date.now() - killed;
    console.log(
      `standby took the Lease ${takeoverMs} ms after the leader was killed (lease ${LEASE.LEASE_DURATION_SECONDS}s)`,
    );
    expect(takeoverMs).toBeGreaterThanOrEqual(Number(LEASE.LEASE_DURATION_SECONDS) * 1000 - 1_000);
    kubectlOk([
      "patch",
      "-n",
      namespace,
      "socpipeline/duo",
      "--type=merge",
      "-p",
      JSON.stringify({ spec: { api: { replicas: 4 } } }),
    ]);
    await eventually(() => expect(apiReplicas()).toBe(4), { timeoutMs: 20_000 });
    await eventually(async () => expect(await reconciles(second)).toBeGreaterThan(0), { timeoutMs: 10_000 });

    // A graceful stop releases the Lease, so the next replica need not wait it out.
    const third = await startReplica("replica-c");
    const stopped = Date.now();
    second.process.kill("SIGTERM");
    const [code] = (await once(second.process, "exit")) as [number | null];
    expect(code).toBe(0);
    await eventually(() => expect(holder()).toBe("replica-c"), { timeoutMs: 10_000, intervalMs: 100 });
    const handoverMs = Date.now() - stopped;
    console.log(`graceful handover took ${handoverMs} ms`);
    expect(handoverMs).toBeLessThan(Number(LEASE.LEASE_DURATION_SECONDS) * 1000);
    kubectlOk([
      "patch",
      "-n",
      namespace,
      "socpipeline/duo",
      "--type=merge",
      "-p",
      JSON.stringify({ spec: { api: { replicas: 1 } } }),
    ]);
    await eventually(() => expect(apiReplicas()).toBe(1), { timeoutMs: 20_000 });
    // The metric counts a reconcile once it finished (whitelist publish included), a moment after its applies.
    await eventually(async () => expect(await reconciles(third)).toBeGreaterThan(0), { timeoutMs: 10_000 });
  }, 90_000);

  it("fails /healthz while its watches are dead, then recovers and catches up", async () => {
    const proxy = await startFreezableProxy(new URL(kubeEnv.kubeconfig === undefined ? "" : readServer()));
    try {
      const replica = await startReplica("replica-watch", {
        KUBECONFIG: kubeconfigFor(proxy.url),
        LEADER_ELECT: "false",
        WATCH_TIMEOUT_SECONDS: "3",
        WATCH_GRACE_SECONDS: "2",
      });
      applyYaml([pipelineManifest("frozen", namespace, { worker: { autoscaling: { enabled: false } } })], namespace);
      await eventually(
        () =>
          expect(
            getJson<KubeObject & { spec: { replicas: number } }>(namespace, "deployment/frozen-api").spec.replicas,
          ).toBe(2),
        { timeoutMs: 20_000 },
      );

      proxy.freeze();
      const frozenAt = Date.now();
      const health = await eventually(
        async () => {
          const answer = await httpGet(`http://127.0.0.1:${replica.port}/healthz`);
          expect(answer.status).toBe(503);
          return answer;
        },
        { timeoutMs: 20_000, intervalMs: 250 },
      );
      console.log(`/healthz failed ${Date.now() - frozenAt} ms after the API connection froze: ${health.body}`);
      expect(health.body).toContain("watches not live");
      // Meanwhile someone edits the pipeline; the frozen operator cannot see it.
      kubectlOk([
        "patch",
        "-n",
        namespace,
        "socpipeline/frozen",
        "--type=merge",
        "-p",
        JSON.stringify({ spec: { api: { replicas: 3 } } }),
      ]);

      proxy.thaw();
      await eventually(
        async () => expect((await httpGet(`http://127.0.0.1:${replica.port}/healthz`)).status).toBe(200),
        { timeoutMs: 30_000, intervalMs: 250 },
      );
      await eventually(
        () =>
          expect(
            getJson<KubeObject & { spec: { replicas: number } }>(namespace, "deployment/frozen-api").spec.replicas,
          ).toBe(3),
        { timeoutMs: 30_000 },
      );
      expect(metricValue(await replica.metrics(), "soc_operator_watch_restarts_total")).toBeGreaterThan(0);
    } finally {
      await proxy.close();
    }
  }, 90_000);
});

function readServer(): string {
  return kubectlOk(["config", "view", "--minify", "-o", "jsonpath={.clusters[0].cluster.server}"]);
}
