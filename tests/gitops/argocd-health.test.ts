/**
 * The Argo CD health check of docs/gitops.md, run by a real Lua 5.1 interpreter (Argo CD's
 * gopher-lua speaks 5.1) on the statuses the operator's own status functions produce.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { ipWhitelistObject, socPipelineObject, type IpWhitelist } from "../../operator/src/api/v1alpha1/index.ts";
import { pipelineStatus, type ReconcileOutcome, type WorkloadState } from "../../operator/src/pipeline/status.ts";
import { effectiveWhitelist } from "../../operator/src/whitelist/effective-whitelist.ts";
import { missingPipelineStatus, whitelistStatus } from "../../operator/src/whitelist/status.ts";

const LUA = process.env.LUA ?? "lua5.1";
const luaMissing = spawnSync(LUA, ["-v"]).status !== 0;
if (luaMissing) console.warn(`skipping Argo CD health check tests: no ${LUA} (apt-get install lua5.1)`);

/** The health scripts from the argocd-cm example in docs/gitops.md. */
function healthScripts(): Record<string, string> {
  const text = readFileSync(join(import.meta.dirname, "..", "..", "docs", "gitops.md"), "utf8");
  const blocks = [...text.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1] ?? "");
  const documents = blocks.flatMap((b) =>
    parseAllDocuments(b).map(
      (d) => d.toJS() as { kind?: string; metadata?: { name?: string }; data?: Record<string, string> } | null,
    ),
  );
  const configMap = documents.find((d) => d?.kind === "ConfigMap" && d.metadata?.name === "argocd-cm");
  if (configMap?.data === undefined) throw new Error("no argocd-cm example in docs/gitops.md");
  return configMap.data;
}

function luaLiteral(value: unknown): string {
  if (value === null || value === undefined) return "nil";
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (Array.isArray(value)) return `{${value.map(luaLiteral).join(", ")}}`;
  return `{${Object.entries(value as Record<string, unknown>)
    .map(([k, v]) => `[${JSON.stringify(k)}] = ${luaLiteral(v)}`)
    .join(", ")}}`;
}

function health(script: string, object: unknown): string {
  const program = `local obj = ${luaLiteral(object)}\nlocal function check()\n${script}\nend\nlocal hs = check()\nio.write(hs.status)`;
  const result = spawnSync(LUA, ["-"], { input: program, encoding: "utf8" });
  if (result.status !== 0) throw new Error(result.stderr);
  return result.stdout;
}

const now = new Date("2026-11-25T10:00:00Z");
const pipeline = socPipelineObject.parse({
  apiVersion: "socpipeline.io/v1alpha1",
  kind: "SocPipeline",
  metadata: { name: "shop", namespace: "soc", uid: "u", generation: 2, resourceVersion: "1" },
  spec: { kafka: { brokers: ["kafka:9092"] }, api: { apiKeysSecretRef: { name: "k", key: "k" } } },
});
const ready: WorkloadState = {
  generation: 1,
  observedGeneration: 1,
  desiredReplicas: 2,
  updatedReplicas: 2,
  readyReplicas: 2,
  availableReplicas: 2,
  failure: null,
};
const withStatus = (outcome: Partial<ReconcileOutcome>, generation = 2) => ({
  ...pipeline,
  metadata: { ...pipeline.metadata, generation },
  status: pipelineStatus(
    pipeline,
    {
      components: [{ name: "api", kind: "Deployment", workload: ready }],
      applyError: null,
      whitelistError: null,
      ...outcome,
    },
    now,
  ),
});

const whitelist: IpWhitelist = ipWhitelistObject.parse({
  apiVersion: "socpipeline.io/v1alpha1",
  kind: "IpWhitelist",
  metadata: { name: "office", namespace: "soc", uid: "w", generation: 1, resourceVersion: "1" },
  spec: { pipelineRef: { name: "shop" }, entries: [{ ip: "10.0.0.0/8" }] },
});
const published = { entries: 1, added: 1, removed: 0, publishedAt: "2026-11-25T10:00:00Z" };

describe.skipIf(luaMissing)("Argo CD health checks of docs/gitops.md", () => {
  const scripts = healthScripts();
  const socPipeline = scripts["resource.customizations.health.socpipeline.io_SocPipeline"] ?? "";
  const ipWhitelist = scripts["resource.customizations.health.socpipeline.io_IpWhitelist"] ?? "";

  it.each([
    ["no status yet", { ...pipeline, status: undefined }, "Progressing"],
    ["every component ready", withStatus({}), "Healthy"],
    ["a spec change not observed yet", withStatus({}, 3), "Progressing"],
    [
      "pods still starting",
      withStatus({
        components: [
          { name: "api", kind: "Deployment", workload: { ...ready, availableReplicas: 0, readyReplicas: 0 } },
        ],
      }),
      "Progressing",
    ],
    [
      "a rollout in progress",
      withStatus({ components: [{ name: "api", kind: "Deployment", workload: { ...ready, updatedReplicas: 1 } }] }),
      "Progressing",
    ],
    ["a child the API server refuses", withStatus({ applyError: { message: "Invalid", permanent: true } }), "Degraded"],
    [
      "a failed Deployment",
      withStatus({
        components: [{ name: "api", kind: "Deployment", workload: { ...ready, failure: "ProgressDeadlineExceeded" } }],
      }),
      "Degraded",
    ],
    ["Kafka down for the whitelist", withStatus({ whitelistError: "Kafka is unreachable" }), "Degraded"],
  ])("SocPipeline with %s is %s", (_, object, expected) => {
    expect(health(socPipeline, object)).toBe(expected);
  });

  it.each([
    [
      "published",
      whitelistStatus(
        whitelist,
        effectiveWhitelist([{ key: "office", owner: "IpWhitelist soc/office", entries: [{ ip: "10.0.0.0/8" }] }]),
        published,
        null,
        now,
      ),
      "Healthy",
    ],
    [
      "an entry refused",
      whitelistStatus(
        whitelist,
        effectiveWhitelist([{ key: "office", owner: "IpWhitelist soc/office", entries: [{ ip: "0.0.0.0/0" }] }]),
        published,
        null,
        now,
      ),
      "Degraded",
    ],
    [
      "Kafka down (retried)",
      whitelistStatus(
        whitelist,
        effectiveWhitelist([{ key: "office", owner: "IpWhitelist soc/office", entries: [{ ip: "10.0.0.0/8" }] }]),
        null,
        "Kafka is unreachable",
        now,
      ),
      "Progressing",
    ],
    ["no such pipeline", missingPipelineStatus(whitelist, now), "Degraded"],
  ])("IpWhitelist %s is %s", (_, status, expected) => {
    expect(health(ipWhitelist, { ...whitelist, status })).toBe(expected);
  });
});
