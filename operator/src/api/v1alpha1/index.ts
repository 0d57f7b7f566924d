/**
 * The operator's API, socpipeline.io/v1alpha1: schemas, typed objects and the CRD definitions
 * (names, short names, printer columns) that `crds/` is generated from.
 */
import { z } from "zod";
import { API_VERSION, GROUP, VERSION } from "./common.ts";
import { ipWhitelistSpec, ipWhitelistStatus } from "./ip-whitelist.ts";
import { socPipelineSpec, socPipelineStatus } from "./soc-pipeline.ts";

export * from "./common.ts";
export * from "./ip-whitelist.ts";
export * from "./soc-pipeline.ts";

export interface ObjectMeta {
  name: string;
  namespace: string;
  uid: string;
  generation: number;
  resourceVersion: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  deletionTimestamp?: string;
}

const objectMeta = z.looseObject({
  name: z.string(),
  namespace: z.string(),
  uid: z.string(),
  generation: z.number().int().default(1),
  resourceVersion: z.string(),
  labels: z.record(z.string(), z.string()).optional(),
  annotations: z.record(z.string(), z.string()).optional(),
  deletionTimestamp: z.string().optional(),
});

export interface CustomResourceDefinitionInfo {
  kind: string;
  plural: string;
  singular: string;
  shortNames: string[];
  description: string;
  spec: z.ZodType;
  status: z.ZodType;
  printerColumns: { name: string; type: "string" | "integer" | "date"; jsonPath: string; description: string }[];
  /** CEL rules on the whole object (e.g. on metadata.name, which the spec schema cannot see). */
  validations?: { rule: string; message: string }[];
}

const readyColumn = {
  name: "Ready",
  type: "string",
  jsonPath: '.status.conditions[?(@.type=="Ready")].status',
  description: "Ready condition",
} as const;
const ageColumn = { name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp", description: "Age" } as const;

export const SOC_PIPELINE: CustomResourceDefinitionInfo = {
  kind: "SocPipeline",
  plural: "socpipelines",
  singular: "socpipeline",
  shortNames: ["socp"],
  description:
    "A security-operations pipeline: API, analysis workers, alerter, collectors, reporter and credential scanner.",
  spec: socPipelineSpec,
  status: socPipelineStatus,
  printerColumns: [
    readyColumn,
    { name: "Components", type: "string", jsonPath: ".status.readyComponents", description: "Ready components / all" },
    {
      name: "Workers",
      type: "integer",
      jsonPath: ".status.autoscaling.currentReplicas",
      description: "Worker replicas",
    },
    {
      name: "Lag",
      type: "integer",
      jsonPath: ".status.autoscaling.totalLag",
      description: "Consumer lag of the workers",
    },
    {
      name: "Whitelisted",
      type: "integer",
      jsonPath: ".status.whitelist.publishedEntries",
      description: "Entries published to config-updates",
    },
    ageColumn,
  ],
  // Children are named <pipeline>-<component> and Services need DNS-1035 labels of at most 63 characters.
  validations: [
    {
      rule: "self.metadata.name.size() <= 30 && self.metadata.name.matches('^[a-z]([-a-z0-9]*[a-z0-9])?$')",
      message: "name must be a DNS-1035 label of at most 30 characters (it prefixes every child's name)",
    },
  ],
};

export const IP_WHITELIST: CustomResourceDefinitionInfo = {
  kind: "IpWhitelist",
  plural: "ipwhitelists",
  singular: "ipwhitelist",
  shortNames: ["ipwl"],
  description: "IP addresses and CIDR blocks a pipeline never flags as attacks.",
  spec: ipWhitelistSpec,
  status: ipWhitelistStatus,
  printerColumns: [
    { name: "Pipeline", type: "string", jsonPath: ".spec.pipelineRef.name", description: "Pipeline" },
    readyColumn,
    { name: "Published", type: "integer", jsonPath: ".status.publishedEntries", description: "Entries published" },
    ageColumn,
  ],
};

export const CUSTOM_RESOURCES = [SOC_PIPELINE, IP_WHITELIST] as const;

/** Parses a SocPipeline read from the API server (defaults already applied there). */
export const socPipelineObject = z.looseObject({
  apiVersion: z.literal(API_VERSION),
  kind: z.literal("SocPipeline"),
  metadata: objectMeta,
  spec: socPipelineSpec,
  status: socPipelineStatus.optional(),
});
export type SocPipeline = z.infer<typeof socPipelineObject>;
export const ipWhitelistObject = z.looseObject({
  apiVersion: z.literal(API_VERSION),
  kind: z.literal("IpWhitelist"),
  metadata: objectMeta,
  spec: ipWhitelistSpec,
  status: ipWhitelistStatus.optional(),
});
export type IpWhitelist = z.infer<typeof ipWhitelistObject>;

export { GROUP, VERSION };
