/**
 * What the operator may touch, parsed once from the environment in main(): the namespaces it
 * watches (WATCH_NAMESPACES, a comma-separated list; WATCH_NAMESPACE, one, as before) and the
 * registries workload images must come from (ALLOWED_IMAGE_REGISTRIES). Both empty: every
 * namespace, any image.
 */
import { z } from "zod";
import { commaList, parseConfig } from "@soc/shared";

const namespaceName = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, "must be namespace names")
  .max(63);
/** A registry host with an optional path: no scheme, no tag (ghcr.io/acme, registry.example.com:5000). */
const registry = z
  .string()
  .regex(/^[a-z0-9.-]+(:[0-9]+)?(\/[a-z0-9._/-]*)?$/, "must be registries such as ghcr.io/acme (no scheme, no tag)");

const scopeEnvSchema = z.object({
  WATCH_NAMESPACES: commaList.pipe(z.array(namespaceName)).default([]),
  WATCH_NAMESPACE: z.string().default(""),
  ALLOWED_IMAGE_REGISTRIES: commaList.pipe(z.array(registry)).default([]),
});

export interface OperatorScope {
  namespaces: string[];
  imageRegistries: string[];
}

export function parseOperatorScope(env: Record<string, string | undefined>): OperatorScope {
  const parsed = parseConfig(scopeEnvSchema, env);
  const single = parsed.WATCH_NAMESPACE === "" ? [] : [parsed.WATCH_NAMESPACE];
  return {
    namespaces: [...new Set([...parsed.WATCH_NAMESPACES, ...single])],
    imageRegistries: parsed.ALLOWED_IMAGE_REGISTRIES,
  };
}
