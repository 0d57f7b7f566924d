/**
 * What a SocPipeline author cannot make the operator do, on a real API server: take over an object
 * of the same name it did not create, run an image outside the allowed registries, or act in a
 * namespace the operator does not watch.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { KubeObject } from "../src/kube/client.ts";
import {
  applyCrds,
  applyYaml,
  createNamespace,
  deleteNamespace,
  eventually,
  getJson,
  kubectl,
  kubectlOk,
  missingKube,
  pipelineManifest,
  startOperator,
  type InProcessOperator,
} from "./harness.ts";

type Pipeline = KubeObject & {
  status?: { conditions?: { type: string; status: string; reason: string; message: string }[] };
};
const condition = (namespace: string, name: string, type: string) =>
  getJson<Pipeline>(namespace, `socpipeline/${name}`).status?.conditions?.find((c) => c.type === type);
const eventMessages = (namespace: string, reason: string): string =>
  kubectlOk([
    "get",
    "events",
    "-n",
    namespace,
    "--field-selector",
    `involvedObject.kind=SocPipeline,reason=${reason}`,
    "-o",
    "jsonpath={.items[*].message}",
  ]);

describe.skipIf(missingKube())("isolation of the operator on a real API server", () => {
  let watched: string;
  let other: string;
  let running: InProcessOperator;

  beforeAll(async () => {
    applyCrds();
    watched = createNamespace("iso");
    other = createNamespace("iso-other");
    running = await startOperator(watched, undefined, {
      namespaces: [watched],
      imageRegistries: ["ghcr.io/soc-pipeline"],
    });
  });
  afterAll(async () => {
    await running?.stop();
    deleteNamespace(watched);
    deleteNamespace(other);
  });

  it("leaves a same-named ConfigMap and Deployment it did not create alone, and says so in a condition and an Event", async () => {
    applyYaml(
      [
        {
          apiVersion: "v1",
          kind: "ConfigMap",
          metadata: { name: "payments-config", labels: { app: "payments" } },
          data: { DATABASE: "prod" },
        },
        {
          apiVersion: "apps/v1",
          kind: "Deployment",
          metadata: { name: "payments-api" },
          spec: {
            replicas: 0,
            selector: { matchLabels: { app: "payments" } },
            template: {
              metadata: { labels: { app: "payments" } },
              spec: { containers: [{ name: "app", image: "ghcr.io/soc-pipeline/payments:1" }] },
            },
          },
        },
      ],
      watched,
    );
    const before = getJson(watched, "configmap/payments-config");
    applyYaml([pipelineManifest("payments", watched)], watched);
    await eventually(() => {
      expect(condition(watched, "payments", "Ready")).toMatchObject({ status: "False", reason: "NameConflict" });
      expect(condition(watched, "payments", "Stalled")).toMatchObject({ status: "True", reason: "NameConflict" });
      expect(eventMessages(watched, "NameConflict")).toContain(
        "ConfigMap payments-config already exists and is not managed by this SocPipeline",
      );
    });
    const after = getJson<KubeObject & { data: Record<string, string> }>(watched, "configmap/payments-config");
    expect(after.metadata.resourceVersion).toBe(before.metadata.resourceVersion);
    expect(after.metadata.ownerReferences).toBeUndefined();
    const deployment = getJson<KubeObject & { spec: { template: { spec: { containers: { image: string }[] } } } }>(
      watched,
      "deployment/payments-api",
    );
    expect(deployment.metadata.ownerReferences).toBeUndefined();
    expect(deployment.spec.template.spec.containers[0]?.image).toBe("ghcr.io/soc-pipeline/payments:1");
    // The children without a clash are still made; deleting the pipeline takes only those.
    await eventually(() => expect(kubectl(["get", "-n", watched, "deployment/payments-worker"]).status).toBe(0));
    kubectlOk(["delete", "-n", watched, "socpipeline/payments", "--wait=true"]);
    await eventually(() => expect(kubectl(["get", "-n", watched, "deployment/payments-worker"]).status).not.toBe(0), {
      timeoutMs: 20_000,
    });
    expect(kubectl(["get", "-n", watched, "configmap/payments-config", "deployment/payments-api"]).status).toBe(0);
  });

  it("does not run an image outside the allowed registries", async () => {
    applyYaml(
      [
        pipelineManifest("rogue", watched, {
          api: { apiKeysSecretRef: { name: "k", key: "k" }, image: "attacker/img:1" },
        }),
      ],
      watched,
    );
    await eventually(() => {
      expect(condition(watched, "rogue", "Ready")).toMatchObject({ status: "False", reason: "ImageNotAllowed" });
      expect(eventMessages(watched, "ImageNotAllowed")).toContain(
        "Deployment rogue-api: image attacker/img:1 is outside the allowed registries",
      );
    });
    expect(kubectl(["get", "-n", watched, "deployment/rogue-api"]).status).not.toBe(0);
  });

  it("reconciles pipelines in the namespaces it watches and ignores the others", async () => {
    applyYaml([pipelineManifest("inside", watched)], watched);
    applyYaml([pipelineManifest("outside", other)], other);
    await eventually(() => expect(kubectl(["get", "-n", watched, "deployment/inside-api"]).status).toBe(0));
    // By now the operator has seen both: the one outside has no status and no children.
    expect(getJson<Pipeline>(other, "socpipeline/outside").status).toBeUndefined();
    expect(
      kubectlOk([
        "get",
        "-n",
        other,
        "deployments,configmaps",
        "-l",
        "app.kubernetes.io/managed-by=soc-operator",
        "-o",
        "name",
      ]),
    ).toBe("");
  });
});
