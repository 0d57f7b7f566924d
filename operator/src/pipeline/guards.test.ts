import { describe, expect, it } from "vitest";
import { socPipelineObject } from "../api/v1alpha1/index.ts";
import type { KubeObject } from "../kube/client.ts";
import { desiredChildren } from "./children.ts";
import { fullImageName, imageAllowed, ownedBy, refusal } from "./guards.ts";

const pipeline = socPipelineObject.parse({
  apiVersion: "socpipeline.io/v1alpha1",
  kind: "SocPipeline",
  metadata: { name: "shop", namespace: "soc", uid: "uid-1", generation: 1, resourceVersion: "1" },
  spec: { kafka: { brokers: ["kafka:9092"] }, api: { apiKeysSecretRef: { name: "keys", key: "api" } } },
});
const live = (metadata: Partial<KubeObject["metadata"]>): KubeObject => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name: "shop-config", namespace: "soc", ...metadata },
});
const controller = (uid: string) => [
  { apiVersion: "socpipeline.io/v1alpha1", kind: "SocPipeline", name: "shop", uid, controller: true },
];
const ourLabels = { "app.kubernetes.io/managed-by": "soc-operator", "socpipeline.io/pipeline": "shop" };

describe("ownedBy", () => {
  it.each([
    { case: "nothing there yet", object: null, owned: true },
    {
      case: "controlled by this pipeline",
      object: live({ ownerReferences: controller("uid-1"), labels: ourLabels }),
      owned: true,
    },
    {
      case: "an orphan with our labels (kubectl delete --cascade=orphan)",
      object: live({ labels: ourLabels }),
      owned: true,
    },
    { case: "someone else's ConfigMap of that name", object: live({ labels: { app: "payments" } }), owned: false },
    { case: "a ConfigMap with no labels at all", object: live({}), owned: false },
    {
      case: "controlled by a deleted-and-recreated or other pipeline",
      object: live({ ownerReferences: controller("uid-2"), labels: ourLabels }),
      owned: false,
    },
    {
      case: "controlled by a Deployment, labels copied",
      object: live({
        ownerReferences: [{ apiVersion: "apps/v1", kind: "Deployment", name: "x", uid: "d", controller: true }],
        labels: ourLabels,
      }),
      owned: false,
    },
    {
      case: "our managed-by label but another pipeline's",
      object: live({ labels: { ...ourLabels, "socpipeline.io/pipeline": "other" } }),
      owned: false,
    },
  ])("$case → $owned", ({ object, owned }) => {
    expect(ownedBy(pipeline, object)).toBe(owned);
  });
});

describe("image allow-list", () => {
  it.each([
    ["busybox", "docker.io/library/busybox"],
    ["acme/tool:1", "docker.io/acme/tool:1"],
    ["ghcr.io/soc-pipeline/api:0.1.0", "ghcr.io/soc-pipeline/api:0.1.0"],
    ["localhost/x", "localhost/x"],
    ["registry:5000/x", "registry:5000/x"],
  ])("%s is pulled as %s", (image, full) => expect(fullImageName(image)).toBe(full));

  it.each([
    ["ghcr.io/soc-pipeline/api:0.1.0", [], true],
    ["ghcr.io/soc-pipeline/api:0.1.0", ["ghcr.io/soc-pipeline"], true],
    ["ghcr.io/soc-pipeline/api:0.1.0", ["ghcr.io/soc-pipeline/"], true],
    ["ghcr.io/soc-pipeline-evil/api:0.1.0", ["ghcr.io/soc-pipeline"], false],
    ["ghcr.io.evil.com/soc-pipeline/api", ["ghcr.io"], false],
    ["attacker/img", ["ghcr.io/soc-pipeline"], false],
    ["busybox", ["docker.io/library"], true],
  ])("%s with %j allowed: %s", (image, registries, allowed) => expect(imageAllowed(image, registries)).toBe(allowed));

  it("refuses a workload whose image is outside the registries, and says which", () => {
    const api = desiredChildren(
      socPipelineObject.parse({
        ...pipeline,
        spec: { ...pipeline.spec, api: { ...pipeline.spec.api, image: "attacker/img:1" } },
      }),
    ).find((o) => o.kind === "Deployment" && o.metadata.name === "shop-api") as KubeObject;
    expect(refusal(pipeline, api, null, ["ghcr.io/soc-pipeline"])).toEqual({
      reason: "ImageNotAllowed",
      message: expect.stringContaining("attacker/img:1"),
    });
    expect(refusal(pipeline, api, null, [])).toBeNull();
  });
});
