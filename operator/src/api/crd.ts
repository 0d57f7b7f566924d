/**
 * CustomResourceDefinitions generated from the zod schemas of ./v1alpha1. zod's JSON Schema is
 * nearly a structural OpenAPI v3 schema already; this only drops what Kubernetes rejects or what
 * says nothing (the safe-integer bounds zod adds to every integer).
 */
import { z } from "zod";
import { stringify } from "yaml";
import { CUSTOM_RESOURCES, GROUP, VERSION, type CustomResourceDefinitionInfo } from "./v1alpha1/index.ts";

type JsonSchema = { [key: string]: unknown };

function structural(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(structural);
  if (node === null || typeof node !== "object") return node;
  const out: JsonSchema = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === "$schema" || key === "propertyNames" || key === "id") continue;
    if (key === "additionalProperties" && value === false) continue;
    if (
      (key === "maximum" && value === Number.MAX_SAFE_INTEGER) ||
      (key === "minimum" && value === Number.MIN_SAFE_INTEGER)
    )
      continue;
    out[key] = structural(value);
  }
  return out;
}

export function openApiSchema(schema: z.ZodType): JsonSchema {
  return structural(z.toJSONSchema(schema, { io: "input", target: "openapi-3.0" })) as JsonSchema;
}

export function customResourceDefinition(info: CustomResourceDefinitionInfo): JsonSchema {
  return {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: `${info.plural}.${GROUP}`, labels: { "app.kubernetes.io/part-of": "soc-pipeline" } },
    spec: {
      group: GROUP,
      scope: "Namespaced",
      names: {
        kind: info.kind,
        listKind: `${info.kind}List`,
        plural: info.plural,
        singular: info.singular,
        shortNames: info.shortNames,
        categories: ["soc"],
      },
      versions: [
        {
          name: VERSION,
          served: true,
          storage: true,
          subresources: { status: {} },
          additionalPrinterColumns: info.printerColumns,
          schema: {
            openAPIV3Schema: {
              type: "object",
              description: info.description,
              required: ["spec"],
              ...(info.validations === undefined ? {} : { "x-kubernetes-validations": info.validations }),
              properties: {
                apiVersion: { type: "string" },
                kind: { type: "string" },
                metadata: { type: "object" },
                spec: openApiSchema(info.spec),
                status: openApiSchema(info.status),
              },
            },
          },
        },
      ],
    },
  };
}

/** The files of `crds/`, by name. */
export function crdFiles(): Map<string, string> {
  const header =
    "# Generated from operator/src/api/v1alpha1 by `npm run generate:crds -w @soc/operator`. Do not edit.\n";
  return new Map(
    CUSTOM_RESOURCES.map((info) => [
      `${info.plural}.yaml`,
      header + stringify(customResourceDefinition(info), { lineWidth: 0 }),
    ]),
  );
}
