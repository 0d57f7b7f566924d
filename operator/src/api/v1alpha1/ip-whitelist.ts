/** The IpWhitelist custom resource: entries a pipeline never flags, managed through GitOps. */
import { z } from "zod";
import { conditions, dnsLabel, ipOrCidr } from "./common.ts";

export const MAX_WHITELIST_ENTRIES = 5000;

export const ipWhitelistSpec = z.object({
  pipelineRef: z
    .object({ name: dnsLabel.describe("Name of a SocPipeline in the same namespace.") })
    .describe("The pipeline these entries apply to."),
  entries: z
    .array(
      z.object({
        ip: ipOrCidr,
        comment: z.string().max(256).optional().describe("Why the entry is trusted (owner, ticket)."),
      }),
    )
    .max(MAX_WHITELIST_ENTRIES)
    .meta({ "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["ip"] }),
});
export type IpWhitelistSpec = z.infer<typeof ipWhitelistSpec>;

export const ipWhitelistStatus = z.object({
  observedGeneration: z.number().int().min(0).optional(),
  conditions: conditions.optional(),
  publishedEntries: z
    .number()
    .int()
    .min(0)
    .optional()
    .describe("Entries of this object on the pipeline's config-updates topic."),
  invalidEntries: z
    .array(z.string())
    .max(MAX_WHITELIST_ENTRIES)
    .optional()
    .describe("Entries the workers cannot use; they are not published."),
  lastPublishedTime: z.string().optional(),
});
export type IpWhitelistStatus = z.infer<typeof ipWhitelistStatus>;
