/**
 * What the operator refuses to write for a pipeline, even though the spec asks for it: a child whose
 * name is taken by an object it does not own (it would adopt, overwrite and, on deletion, garbage
 * collect someone else's Deployment or ConfigMap), and a workload whose image lies outside the
 * registries the cluster admin allows. Pure.
 */
import type { SocPipeline } from "../api/v1alpha1/index.ts";
import type { KubeObject } from "../kube/client.ts";
import { MANAGED_BY, PIPELINE_LABEL } from "../naming.ts";

export type RefusalReason = "NameConflict" | "ImageNotAllowed";
export interface Refusal {
  reason: RefusalReason;
  message: string;
}

/**
 * True when `live` may be applied over: it does not exist, this pipeline is its controller, or it is
 * an orphan of this pipeline (our labels, no controller: e.g. left by `kubectl delete --cascade=orphan`).
 */
export function ownedBy(pipeline: SocPipeline, live: KubeObject | null | undefined): boolean {
  if (live === null || live === undefined) return true;
  const controller = live.metadata.ownerReferences?.find((owner) => owner.controller === true);
  if (controller !== undefined) return controller.uid === pipeline.metadata.uid;
  const labels = live.metadata.labels ?? {};
  return (
    Object.entries(MANAGED_BY).every(([key, value]) => labels[key] === value) &&
    labels[PIPELINE_LABEL] === pipeline.metadata.name
  );
}

/** The name a pod is pulled by: `busybox` is docker.io/library/busybox, `acme/x` docker.io/acme/x. */
export function fullImageName(image: string): string {
  const [first = "", ...rest] = image.split("/");
  const hasRegistry = rest.length > 0 && (first.includes(".") || first.includes(":") || first === "localhost");
  if (hasRegistry) return image;
  return `docker.io/${rest.length === 0 ? `library/${image}` : image}`;
}

/** Allowed when no registry is configured, or the image is under one (`ghcr.io/acme` allows ghcr.io/acme/x, not ghcr.io/acme-evil/x). */
export function imageAllowed(image: string, registries: readonly string[]): boolean {
  if (registries.length === 0) return true;
  const full = fullImageName(image);
  return registries.some((registry) => full.startsWith(registry.endsWith("/") ? registry : `${registry}/`));
}

type PodSpec = { containers?: { image: string }[]; initContainers?: { image: string }[] };

function podSpecOf(object: KubeObject): PodSpec | undefined {
  const spec = object.spec as
    { template?: { spec?: PodSpec }; jobTemplate?: { spec?: { template?: { spec?: PodSpec } } } } | undefined;
  return spec?.template?.spec ?? spec?.jobTemplate?.spec?.template?.spec;
}

/** Why `child` must not be written, if it must not. */
export function refusal(
  pipeline: SocPipeline,
  child: KubeObject,
  live: KubeObject | null | undefined,
  registries: readonly string[],
): Refusal | null {
  const what = `${child.kind} ${child.metadata.name}`;
  if (!ownedBy(pipeline, live)) {
    return {
      reason: "NameConflict",
      message: `${what} already exists and is not managed by this SocPipeline: left alone (rename the pipeline or the collector, or delete that object)`,
    };
  }
  const pod = podSpecOf(child);
  const refused = [...(pod?.initContainers ?? []), ...(pod?.containers ?? [])]
    .map((c) => c.image)
    .filter((image) => !imageAllowed(image, registries));
  if (refused.length > 0)
    return {
      reason: "ImageNotAllowed",
      message: `${what}: image ${refused.join(", ")} is outside the allowed registries (${registries.join(", ")}): not applied`,
    };
  return null;
}
