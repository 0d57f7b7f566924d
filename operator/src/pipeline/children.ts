/**
 * The objects a SocPipeline should own, built with cdk8s in memory: a ConfigMap of shared
 * settings; per component a Deployment (or the scanner's CronJob), a NetworkPolicy, a Service
 * where it takes traffic and a PodDisruptionBudget where it runs several pods. Pure and
 * deterministic: stable names, and pod templates that pass the Pod Security "restricted" profile.
 */
import { createHash } from "node:crypto";
import { ApiObject, App, Chart } from "cdk8s";
import { API_VERSION, type SocPipeline } from "../api/v1alpha1/index.ts";
import type { KubeObject } from "../kube/client.ts";
import { withAppliedHash } from "../kube/up-to-date.ts";
import { childName, configMapName, MANAGED_BY, PIPELINE_LABEL } from "../naming.ts";
import { components, secretFileName, sharedSettings, SECRETS_DIR, STATE_DIR, type Component } from "./components.ts";
import { componentPolicy, defaultDeny } from "./network-policies.ts";

/** Kinds a pipeline may own; pruning looks for leftovers among these. */
export const CHILD_KINDS = [
  { apiVersion: "v1", kind: "ConfigMap" },
  { apiVersion: "v1", kind: "Service" },
  { apiVersion: "v1", kind: "PersistentVolumeClaim" },
  { apiVersion: "apps/v1", kind: "Deployment" },
  { apiVersion: "batch/v1", kind: "CronJob" },
  { apiVersion: "policy/v1", kind: "PodDisruptionBudget" },
  { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy" },
] as const;

const componentLabels = (pipeline: string, component: string): Record<string, string> => ({
  "app.kubernetes.io/name": "soc-pipeline",
  "app.kubernetes.io/instance": pipeline,
  "app.kubernetes.io/component": component,
});

const RESTRICTED_POD = {
  runAsNonRoot: true,
  runAsUser: 65532,
  runAsGroup: 65532,
  fsGroup: 65532,
  seccompProfile: { type: "RuntimeDefault" },
};
const RESTRICTED_CONTAINER = {
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  runAsNonRoot: true,
  capabilities: { drop: ["ALL"] },
};

function podSpec(
  pipeline: string,
  component: Component,
  restartPolicy: "Always" | "OnFailure",
): Record<string, unknown> {
  const volumes: Record<string, unknown>[] = [{ name: "tmp", emptyDir: { sizeLimit: "64Mi" } }];
  const mounts: Record<string, unknown>[] = [{ name: "tmp", mountPath: "/tmp" }];
  if (component.persistentState) {
    volumes.push({ name: "state", persistentVolumeClaim: { claimName: childName(pipeline, component.name) } });
    mounts.push({ name: "state", mountPath: STATE_DIR });
  }
  // Credentials as read-only files, only those this component uses, and only Secrets the spec names.
  if (component.secretFiles.length > 0) {
    const sources = component.secretFiles.map((file) => ({
      secret: { name: file.ref.name, items: [{ key: file.ref.key, path: secretFileName(file.env) }] },
    }));
    volumes.push({ name: "secrets", projected: { defaultMode: 0o440, sources } });
    mounts.push({ name: "secrets", mountPath: SECRETS_DIR, readOnly: true });
  }
  const port = component.port;
  const probes =
    port === undefined
      ? {}
      : {
          ports: [
            { name: port.name, containerPort: port.number, protocol: "TCP" },
            ...(component.listenPorts ?? []).map((listen) => ({
              name: listen.name,
              containerPort: listen.containerPort,
              protocol: listen.protocol,
            })),
          ],
          readinessProbe: {
            httpGet: { path: port.readinessPath, port: port.name },
            periodSeconds: 10,
            failureThreshold: 3,
          },
          livenessProbe: {
            httpGet: { path: port.livenessPath, port: port.name },
            periodSeconds: 20,
            failureThreshold: 3,
          },
        };
  return {
    automountServiceAccountToken: false,
    enableServiceLinks: false,
    restartPolicy,
    securityContext: RESTRICTED_POD,
    terminationGracePeriodSeconds: 30,
    volumes,
    containers: [
      {
        name: component.name,
        image: component.image,
        imagePullPolicy: "IfNotPresent",
        envFrom: [{ configMapRef: { name: configMapName(pipeline) } }],
        env: [
          ...component.env,
          ...component.secretFiles.map((file) => ({
            name: file.env,
            value: `${SECRETS_DIR}/${secretFileName(file.env)}`,
          })),
        ],
        resources: component.resources,
        securityContext: RESTRICTED_CONTAINER,
        volumeMounts: mounts,
        ...probes,
      },
    ],
  };
}

function addComponent(chart: Chart, pipeline: SocPipeline, component: Component, configHash: string): void {
  const { name: pipelineName } = pipeline.metadata;
  const name = childName(pipelineName, component.name);
  const labels = componentLabels(pipelineName, component.name);
  const template = { metadata: { labels, annotations: { "socpipeline.io/config-hash": configHash } } };
  if (component.persistentState) {
    new ApiObject(chart, `${name}-pvc`, {
      apiVersion: "v1",
      kind: "PersistentVolumeClaim",
      metadata: { name },
      spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "16Mi" } } },
    });
  }
  if (component.kind === "CronJob") {
    if (component.schedule === undefined) throw new Error(`${component.name}: a CronJob component needs a schedule`);
    new ApiObject(chart, name, {
      apiVersion: "batch/v1",
      kind: "CronJob",
      metadata: { name },
      spec: {
        schedule: component.schedule.cron,
        timeZone: "Etc/UTC",
        startingDeadlineSeconds: component.schedule.startingDeadlineSeconds,
        // A run still going when the next is due (a slow Elasticsearch) finishes first; none overlap.
        concurrencyPolicy: "Forbid",
        successfulJobsHistoryLimit: 3,
        failedJobsHistoryLimit: 3,
        // A failed run exits non-zero: its pod is restarted up to twice, then the Job is failed (kept in history).
        jobTemplate: {
          spec: { backoffLimit: 2, template: { ...template, spec: podSpec(pipelineName, component, "OnFailure") } },
        },
      },
    });
  } else {
    new ApiObject(chart, name, {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name },
      spec: {
        replicas: component.replicas,
        selector: { matchLabels: labels },
        // A ReadWriteOnce state volume cannot be mounted by the old and the new pod at once.
        strategy: component.persistentState
          ? { type: "Recreate" }
          : { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
        template: { ...template, spec: podSpec(pipelineName, component, "Always") },
      },
    });
  }
  const port = component.port;
  if (component.exposed && port !== undefined) {
    new ApiObject(chart, `${name}-svc`, {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name },
      spec: {
        selector: labels,
        ports: [
          { name: port.name, port: port.number, targetPort: port.name, protocol: "TCP" },
          ...(component.listenPorts ?? []).map((listen) => ({
            name: listen.name,
            port: listen.servicePort,
            targetPort: listen.name,
            protocol: listen.protocol,
          })),
        ],
      },
    });
  }
  // A PDB on a single pod would block node drains; with the autoscaler the count varies, so keep one.
  if (component.kind === "Deployment" && (component.replicas === undefined || component.replicas > 1)) {
    new ApiObject(chart, `${name}-pdb`, {
      apiVersion: "policy/v1",
      kind: "PodDisruptionBudget",
      metadata: { name },
      spec: { maxUnavailable: 1, selector: { matchLabels: labels } },
    });
  }
  new ApiObject(chart, `${name}-netpol`, {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: { name },
    spec: componentPolicy(pipelineName, pipeline.spec, component, { matchLabels: labels }),
  });
}

export function desiredChildren(pipeline: SocPipeline): KubeObject[] {
  const { name, namespace, uid } = pipeline.metadata;
  const settings = sharedSettings(pipeline.spec);
  const configHash = createHash("sha256").update(JSON.stringify(settings)).digest("hex").slice(0, 16);
  const chart = new Chart(new App(), name, { namespace, labels: { ...MANAGED_BY, [PIPELINE_LABEL]: name } });
  new ApiObject(chart, "config", {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: configMapName(name) },
    data: settings,
  });
  new ApiObject(chart, "default-deny", {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: { name: childName(name, "default-deny") },
    spec: defaultDeny(name),
  });
  for (const component of components(pipeline)) addComponent(chart, pipeline, component, configHash);
  const owner = { apiVersion: API_VERSION, kind: "SocPipeline", name, uid, controller: true, blockOwnerDeletion: true };
  return chart
    .toJson()
    .map((object: KubeObject) =>
      withAppliedHash({ ...object, metadata: { ...object.metadata, ownerReferences: [owner] } }),
    );
}
