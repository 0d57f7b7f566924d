/**
 * The operator's narrow view of the Kubernetes API: typed paths for the handful of kinds it touches,
 * server-side apply with one field manager, status and scale subresources, and watches.
 * Authentication comes from @kubernetes/client-node's KubeConfig (kubeconfig file or in-cluster
 * ServiceAccount); requests go over node:https so every call has a deadline we control. Transient
 * failures (API server starting, etcd leader change, throttling) are retried briefly here.
 */
import { request as httpsRequest, type RequestOptions } from "node:https";
import { request as httpRequest } from "node:http";
import { KubeConfig, Watch } from "@kubernetes/client-node";
import { withRetry, type RetryPolicy } from "./retry.ts";
import { parseRetryAfter } from "./transient.ts";

export const FIELD_MANAGER = "soc-operator";

export interface ObjectMetadata {
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  creationTimestamp?: string;
  deletionTimestamp?: string;
}

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMetadata;
  [field: string]: unknown;
}

/** A kind in one namespace (or cluster-wide when namespace is undefined). */
export interface KindRef {
  apiVersion: string;
  kind: string;
  namespace?: string;
}
export interface ObjectRef extends KindRef {
  name: string;
}

/** Plural resource names of the kinds the operator manages; no discovery round trips. */
const PLURALS: Record<string, string> = {
  "v1/ConfigMap": "configmaps",
  "v1/Service": "services",
  "v1/Event": "events",
  "v1/Namespace": "namespaces",
  "v1/Pod": "pods",
  "v1/PersistentVolumeClaim": "persistentvolumeclaims",
  "v1/Secret": "secrets",
  "apps/v1/Deployment": "deployments",
  "apps/v1/ReplicaSet": "replicasets",
  "batch/v1/CronJob": "cronjobs",
  "policy/v1/PodDisruptionBudget": "poddisruptionbudgets",
  "networking.k8s.io/v1/NetworkPolicy": "networkpolicies",
  "coordination.k8s.io/v1/Lease": "leases",
  "socpipeline.io/v1alpha1/SocPipeline": "socpipelines",
  "socpipeline.io/v1alpha1/IpWhitelist": "ipwhitelists",
};

export function resourcePath(ref: KindRef & { name?: string }, subresource?: "status" | "scale"): string {
  const plural = PLURALS[`${ref.apiVersion}/${ref.kind}`];
  if (plural === undefined) throw new Error(`unknown kind ${ref.apiVersion}/${ref.kind}`);
  const group = ref.apiVersion.includes("/") ? `/apis/${ref.apiVersion}` : `/api/${ref.apiVersion}`;
  const namespace = ref.namespace === undefined ? "" : `/namespaces/${encodeURIComponent(ref.namespace)}`;
  const name = ref.name === undefined ? "" : `/${encodeURIComponent(ref.name)}`;
  return `${group}${namespace}/${plural}${name}${subresource === undefined ? "" : `/${subresource}`}`;
}

/** An answer of the API server other than 2xx, with its Status reason (NotFound, Conflict, Invalid…). */
export class KubeApiError extends Error {
  override readonly name = "KubeApiError";
  constructor(
    readonly statusCode: number,
    readonly reason: string,
    message: string,
    /** The server's Retry-After, when it sent one (429, 503). */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

export const isNotFound = (error: unknown): boolean => error instanceof KubeApiError && error.statusCode === 404;
export const isConflict = (error: unknown): boolean => error instanceof KubeApiError && error.statusCode === 409;

export type WatchEventType = "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK" | "ERROR";

export interface KubeClient {
  get<T extends KubeObject>(ref: ObjectRef): Promise<T | null>;
  list<T extends KubeObject>(ref: KindRef, labelSelector?: string): Promise<{ items: T[]; resourceVersion: string }>;
  /** Server-side apply (forced, one field manager); `status` applies to the status subresource. */
  apply<T extends KubeObject>(
    object: KubeObject,
    options?: { subresource?: "status"; fieldManager?: string },
  ): Promise<T>;
  create<T extends KubeObject>(object: KubeObject): Promise<T>;
  /** PUT with the object's resourceVersion: fails with 409 Conflict when someone wrote in between. */
  replace<T extends KubeObject>(object: KubeObject): Promise<T>;
  /** Writes spec.replicas through the scale subresource, as an autoscaler does. */
  scale(ref: ObjectRef, replicas: number): Promise<void>;
  delete(ref: ObjectRef): Promise<void>;
  /** Opens a watch; `onDone` runs once when it ends for any reason. Returns a function that aborts it. */
  watch(
    ref: KindRef,
    options: { resourceVersion: string; timeoutSeconds: number; labelSelector?: string },
    onEvent: (type: WatchEventType, object: KubeObject) => void,
    onDone: (error: unknown) => void,
  ): Promise<() => void>;
}

const REQUEST_TIMEOUT_MS = 15_000;

/**
 * Short on purpose: a blip (cache warming up, etcd leader change) passes within it; anything longer
 * is for the reconciler's requeue backoff, and must not hold a Lease renewal past its renew deadline.
 */
export const API_RETRY: RetryPolicy = {
  initialDelayMs: 100,
  maxDelayMs: 1_000,
  deadlineMs: 5_000,
  maxRetryAfterMs: 2_000,
};

export function createKubeClient(config: KubeConfig, retry: RetryPolicy = API_RETRY): KubeClient {
  const cluster = config.getCurrentCluster();
  if (cluster === null) throw new Error("kubeconfig has no current cluster");
  const server = new URL(cluster.server);
  const watcher = new Watch(config);

  const call = <T>(method: string, path: string, body?: unknown, contentType?: string): Promise<T> =>
    withRetry(() => send<T>(method, path, body, contentType), retry);

  async function send<T>(method: string, path: string, body?: unknown, contentType = "application/json"): Promise<T> {
    const options: RequestOptions = {
      method,
      hostname: server.hostname,
      port: server.port,
      path,
      headers: { accept: "application/json", ...(body === undefined ? {} : { "content-type": contentType }) },
      timeout: REQUEST_TIMEOUT_MS,
    };
    await config.applyToHTTPSOptions(options);
    const send = server.protocol === "https:" ? httpsRequest : httpRequest;
    return new Promise<T>((resolve, reject) => {
      const req = send(options, (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          const status = response.statusCode ?? 0;
          if (status >= 200 && status < 300) return resolve((text === "" ? {} : JSON.parse(text)) as T);
          reject(apiError(status, text, `${method} ${path}`, parseRetryAfter(response.headers["retry-after"])));
        });
        response.on("error", reject);
      });
      req.on("timeout", () => req.destroy(new Error(`${method} ${path}: no answer within ${REQUEST_TIMEOUT_MS} ms`)));
      req.on("error", reject);
      req.end(body === undefined ? undefined : JSON.stringify(body));
    });
  }

  return {
    async get<T extends KubeObject>(ref: ObjectRef) {
      try {
        return await call<T>("GET", resourcePath(ref));
      } catch (error) {
        if (isNotFound(error)) return null;
        throw error;
      }
    },
    async list<T extends KubeObject>(ref: KindRef, labelSelector?: string) {
      const query = labelSelector === undefined ? "" : `?labelSelector=${encodeURIComponent(labelSelector)}`;
      const list = await call<{ items: T[]; metadata: { resourceVersion: string } }>("GET", resourcePath(ref) + query);
      // Items of a list carry no apiVersion/kind; put them back so they are whole objects.
      const items = list.items.map((item) => ({ ...item, apiVersion: ref.apiVersion, kind: ref.kind }));
      return { items, resourceVersion: list.metadata.resourceVersion };
    },
    apply<T extends KubeObject>(object: KubeObject, options: { subresource?: "status"; fieldManager?: string } = {}) {
      const query = `?fieldManager=${encodeURIComponent(options.fieldManager ?? FIELD_MANAGER)}&force=true`;
      return call<T>(
        "PATCH",
        resourcePath({ ...object, ...object.metadata }, options.subresource) + query,
        object,
        "application/apply-patch+yaml",
      );
    },
    create<T extends KubeObject>(object: KubeObject) {
      return call<T>(
        "POST",
        resourcePath({ apiVersion: object.apiVersion, kind: object.kind, namespace: object.metadata.namespace }),
        object,
      );
    },
    replace<T extends KubeObject>(object: KubeObject) {
      return call<T>("PUT", resourcePath({ ...object, ...object.metadata }), object);
    },
    async scale(ref: ObjectRef, replicas: number) {
      const path = `${resourcePath(ref, "scale")}?fieldManager=${FIELD_MANAGER}-autoscaler`;
      await call("PATCH", path, { spec: { replicas } }, "application/merge-patch+json");
    },
    async delete(ref: ObjectRef) {
      try {
        await call("DELETE", resourcePath(ref), {
          kind: "DeleteOptions",
          apiVersion: "v1",
          propagationPolicy: "Background",
        });
      } catch (error) {
        if (!isNotFound(error)) throw error;
      }
    },
    async watch(ref, options, onEvent, onDone) {
      const query: Record<string, string | number | boolean> = {
        resourceVersion: options.resourceVersion,
        timeoutSeconds: options.timeoutSeconds,
        allowWatchBookmarks: true,
      };
      if (options.labelSelector !== undefined) query.labelSelector = options.labelSelector;
      const controller = await watcher.watch(
        resourcePath(ref),
        query,
        (type: string, object: KubeObject) => onEvent(type as WatchEventType, object),
        (error: unknown) => onDone(error),
      );
      return () => controller.abort();
    },
  };
}

function apiError(status: number, text: string, what: string, retryAfterSeconds?: number): KubeApiError {
  try {
    const parsed = JSON.parse(text) as { reason?: string; message?: string };
    return new KubeApiError(
      status,
      parsed.reason ?? "Unknown",
      `${what}: ${parsed.message ?? text}`,
      retryAfterSeconds,
    );
  } catch {
    return new KubeApiError(status, "Unknown", `${what}: HTTP ${status} ${text.slice(0, 200)}`, retryAfterSeconds);
  }
}

/** Kubeconfig from $KUBECONFIG / ~/.kube/config, or the in-cluster ServiceAccount. */
export function loadKubeConfig(): KubeConfig {
  const config = new KubeConfig();
  config.loadFromDefault();
  return config;
}
