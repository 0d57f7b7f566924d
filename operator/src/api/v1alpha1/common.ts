/**
 * Building blocks shared by the SocPipeline and IpWhitelist schemas. The zod schemas are the source
 * of truth: the operator validates objects with them and `crds/` is generated from them
 * (`npm run generate:crds -w @soc/operator`), so the types and the CRDs cannot drift apart.
 */
import { z } from "zod";

export const GROUP = "socpipeline.io";
export const VERSION = "v1alpha1";
export const API_VERSION = `${GROUP}/${VERSION}`;

/** A Kubernetes object name (RFC 1123 DNS label), as Deployments and Services need. */
export const dnsLabel = z
  .string()
  .min(1)
  .max(40)
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, "must be a lowercase DNS label (a-z, 0-9, '-')");

/** A key of a Secret in the object's namespace: credentials are never written into the spec. */
export const secretKeyRef = z
  .object({
    name: z.string().min(1).max(253).describe("Name of a Secret in the pipeline's namespace."),
    key: z.string().min(1).max(253).describe("Key within that Secret."),
  })
  .describe("Reference to one key of a Secret.");
export type SecretKeyRef = z.infer<typeof secretKeyRef>;

/** `scheme://user:password@host`: the credentials would land in a ConfigMap and in every pod's environment. */
const USERINFO = "^[^:/?#]+://[^/?#]*@";
const NO_USERINFO_MESSAGE = "must not carry credentials (user:password@host): reference them from a Secret instead";

/** A URL without credentials, refused by the API server (CEL) and again by the operator (zod). */
export const urlWithoutCredentials = <T extends z.ZodType<string>>(schema: T) =>
  schema
    .refine((url) => !new RegExp(USERINFO).test(url), NO_USERINFO_MESSAGE)
    .meta({ "x-kubernetes-validations": [{ rule: `!self.matches('${USERINFO}')`, message: NO_USERINFO_MESSAGE }] });

/** metav1.LabelSelector, as NetworkPolicy peers take it. */
export const labelSelector = z
  .object({
    matchLabels: z.record(z.string().max(317), z.string().max(63)).optional(),
    matchExpressions: z
      .array(
        z.object({
          key: z.string().min(1).max(317),
          operator: z.enum(["In", "NotIn", "Exists", "DoesNotExist"]),
          values: z.array(z.string().max(63)).max(64).optional(),
        }),
      )
      .max(16)
      .optional(),
  })
  .describe("A label selector (matchLabels, matchExpressions); {} selects everything.");
export type LabelSelector = z.infer<typeof labelSelector>;

const quantity = z
  .string()
  .regex(/^[0-9]+(\.[0-9]+)?(m|Ki|Mi|Gi|Ti|k|M|G|T)?$/, "must be a Kubernetes quantity such as 250m or 512Mi");
const resourceList = z.object({ cpu: quantity.optional(), memory: quantity.optional() });

/** Compute resources of one container; the defaults fit a small cluster. */
export const resources = (defaults: { cpu: string; memory: string; memoryLimit: string }) =>
  z
    .object({
      requests: resourceList.prefault({ cpu: defaults.cpu, memory: defaults.memory }),
      limits: resourceList.prefault({ memory: defaults.memoryLimit }),
    })
    .prefault({})
    .describe("Container resource requests and limits (cpu, memory).");
export type Resources = z.infer<ReturnType<typeof resources>>;

export const image = (component: string) =>
  z.string().min(1).max(512).default(`ghcr.io/soc-pipeline/${component}:0.1.0`).describe("Container image.");

export const replicas = (fallback: number) =>
  z.number().int().min(0).max(100).default(fallback).describe("Number of pods.");

/** IPv4/IPv6 address or CIDR block; the API server checks it with the same CEL helpers kubectl users see. */
export const ipOrCidr = z
  .string()
  .min(2)
  .max(64)
  .describe("An IPv4 or IPv6 address, or a CIDR block such as 10.0.0.0/8.")
  .meta({
    "x-kubernetes-validations": [
      {
        rule: "isIP(self) || isCIDR(self)",
        message: "must be an IPv4 or IPv6 address or a CIDR block (e.g. 10.0.0.0/8)",
      },
    ],
  });

/** metav1.Condition, as `kubectl wait --for=condition=Ready` and kstatus read it. */
export const condition = z.object({
  type: z.string().min(1).max(316),
  status: z.enum(["True", "False", "Unknown"]),
  observedGeneration: z.number().int().min(0).optional(),
  lastTransitionTime: z.string().describe("RFC 3339 time of the last status change."),
  reason: z.string().min(1).max(1024),
  message: z.string().max(32768),
});
export type Condition = z.infer<typeof condition>;

export const conditions = z
  .array(condition)
  .max(16)
  .meta({ "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["type"] });
