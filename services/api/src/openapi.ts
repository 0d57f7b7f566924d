/**
 * /openapi.json (OpenAPI 3.1), generated from the route list (routes/index.ts): the same zod
 * schemas validate the requests and type the handlers' answers.
 *
 * Generated with zod-openapi rather than @asteasolutions/zod-to-openapi: it has no runtime
 * dependencies, renders through zod v4's own toJSONSchema (the shapes clients already know), and
 * turns every schema with `.meta({ id })` into `#/components/schemas/<id>` with references that
 * resolve from the document's root, without a registry to keep in step with the schemas.
 */
import { z } from "zod";
import {
  createDocument,
  type ZodOpenApiOperationObject,
  type ZodOpenApiResponseObject,
  type ZodOpenApiResponsesObject,
} from "zod-openapi";
import { DOCUMENTED_ROUTES } from "./routes/index.ts";
import type { Access, RouteDescription } from "./routes/route.ts";
import { errorSchema } from "./schemas.ts";

const errorResponse = (id: string, description: string, headers?: z.ZodObject): ZodOpenApiResponseObject => ({
  id,
  description,
  content: { "application/json": { schema: errorSchema } },
  ...(headers !== undefined ? { headers } : {}),
});

/** Shared error answers, each one component. */
const ERRORS = {
  400: errorResponse("BadRequest", "Invalid JSON, fields or query parameters"),
  401: errorResponse("Unauthorized", "Missing API key"),
  403: errorResponse("Forbidden", "Invalid key or insufficient role"),
  404: errorResponse("NotFound", "Not found"),
  409: errorResponse(
    "Conflict",
    "Conflicts with the whitelist: the entry is managed by an IpWhitelist custom resource (change it in Git), or the ban would cover a whitelisted address",
  ),
  413: errorResponse("PayloadTooLarge", "Body over the size limit"),
  415: errorResponse("UnsupportedMediaType", "Unsupported content type: send application/json or application/x-ndjson"),
  503: errorResponse(
    "Unavailable",
    "Kafka unavailable; nothing was accepted. Retry after Retry-After seconds.",
    z.object({ "Retry-After": z.string().describe("Seconds to wait before retrying.") }),
  ),
} as const;

/** Errors the access rule and the request's validation imply, then the handler's own. */
function errorStatuses(route: RouteDescription): (keyof typeof ERRORS)[] {
  const statuses = new Set<keyof typeof ERRORS>();
  if (route.query !== undefined || route.body !== undefined) statuses.add(400);
  if (route.access !== "public") [401, 403].forEach((status) => statuses.add(status as 401 | 403));
  if (route.body !== undefined) [413, 415].forEach((status) => statuses.add(status as 413 | 415));
  for (const status of route.errors ?? []) statuses.add(status);
  return [...statuses].sort((a, b) => a - b);
}

const ACCESS_DESCRIPTIONS: Record<Exclude<Access, "public">, string> = {
  "any-key": "Any valid API key.",
  ingest: "Needs the 'ingest' role (an admin key holds every role).",
  read: "Needs the 'read' role (an admin key holds every role).",
  admin: "Needs the 'admin' role.",
  bouncer: "Needs the 'bouncer' role (a bouncer key can call nothing else; an admin key holds every role).",
};

function operationOf(route: RouteDescription): ZodOpenApiOperationObject {
  const { response } = route;
  const responses: ZodOpenApiResponsesObject = {};
  const success: ZodOpenApiResponseObject = {
    description: response.description,
    content: {
      [response.contentType ?? "application/json"]: response.schema !== undefined ? { schema: response.schema } : {},
    },
    ...(response.headers !== undefined ? { headers: response.headers } : {}),
  };
  responses[`${response.status ?? 200}`] = success;
  if (route.alternative !== undefined)
    responses[`${route.alternative.status}` as "503"] = { ...success, description: route.alternative.description };
  for (const status of errorStatuses(route)) responses[`${status}`] = ERRORS[status];

  const body = route.body;
  return {
    operationId: route.operationId,
    tags: [route.tag],
    summary: route.summary,
    ...(route.access === "public" ? { security: [] } : { description: ACCESS_DESCRIPTIONS[route.access] }),
    ...(route.query !== undefined || route.params !== undefined
      ? {
          requestParams: {
            ...(route.query !== undefined ? { query: route.query } : {}),
            ...(route.params !== undefined ? { path: route.params } : {}),
          },
        }
      : {}),
    ...(body !== undefined
      ? {
          requestBody: {
            required: true,
            ...(body.description !== undefined ? { description: body.description } : {}),
            content: {
              "application/json": { schema: body.schema },
              ...(body.ndjsonLine !== undefined ? { "application/x-ndjson": { schema: body.ndjsonLine } } : {}),
            },
          },
        }
      : {}),
    responses,
  };
}

export function openApiDocument(): ReturnType<typeof createDocument> {
  const paths: Record<string, Record<string, ZodOpenApiOperationObject>> = {};
  for (const route of DOCUMENTED_ROUTES) (paths[route.path] ??= {})[route.method] = operationOf(route);
  return createDocument({
    openapi: "3.1.0",
    info: {
      title: "SOC Pipeline API",
      version: "0.1.0",
      description: "Log ingest, alerts, whitelist, bans and reports.",
    },
    components: {
      securitySchemes: {
        apiKey: { type: "http", scheme: "bearer", description: "An API key: `Authorization: Bearer <key>`." },
        apiKeyHeader: {
          type: "apiKey",
          in: "header",
          name: "X-API-Key",
          description: "The same key in the X-API-Key header.",
        },
      },
    },
    security: [{ apiKey: [] }, { apiKeyHeader: [] }],
    paths,
  });
}
