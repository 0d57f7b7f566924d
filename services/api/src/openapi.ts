/** /openapi.json, generated from the same zod schemas that validate the requests. */
import { z } from "zod";
import * as schemas from "./schemas.ts";

interface Operation {
  summary: string;
  role: "ingest" | "read" | "admin" | null;
  query?: z.ZodObject;
  path?: Record<string, string>;
  body?: z.ZodType;
  ndjson?: boolean;
  responses: Record<number, { description: string; schema?: z.ZodType; contentType?: string }>;
}

const errors = (...statuses: number[]): Record<number, { description: string; schema: z.ZodType }> =>
  Object.fromEntries(statuses.map((status) => [status, { description: ERROR_DESCRIPTIONS[status] ?? "Error", schema: schemas.errorSchema }]));

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: "Invalid JSON or fields",
  401: "Missing API key",
  403: "Invalid key or insufficient role",
  404: "Not found",
  409: "Managed by an IpWhitelist custom resource: change it in Git",
  413: "Body over the size limit",
  415: "Unsupported content type",
  503: "Kafka unavailable; retry after Retry-After seconds",
};

const OPERATIONS: Record<string, Record<string, Operation>> = {
  "/logs": {
    post: {
      summary: "Submit a log, or a batch (JSON array or NDJSON). Answered only after Kafka acknowledged it.",
      role: "ingest",
      body: z.union([schemas.logSubmissionSchema, schemas.logBatchSchema]),
      ndjson: true,
      responses: { 200: { description: "Accepted", schema: schemas.statusMessageSchema }, ...errors(400, 401, 403, 413, 415, 503) },
    },
  },
  "/alerts": {
    get: {
      summary: "Processed logs, newest first. Paging: X-Total-Count and X-Next-Cursor response headers.",
      role: "read",
      query: schemas.alertQuerySchema,
      responses: { 200: { description: "Processed logs", schema: z.array(schemas.processedLogResponseSchema) }, ...errors(400, 401, 403) },
    },
    patch: {
      summary: "Set the status of many alerts at once.",
      role: "admin",
      body: schemas.bulkStatusUpdateSchema,
      responses: { 200: { description: "Result", schema: schemas.bulkStatusResultSchema }, ...errors(400, 401, 403) },
    },
  },
  "/alerts/{alert_id}": {
    patch: {
      summary: "Set the status of one alert.",
      role: "admin",
      path: { alert_id: "The alert's document id." },
      body: schemas.statusUpdateSchema,
      responses: { 200: { description: "Updated", schema: schemas.statusMessageSchema }, ...errors(400, 401, 403, 404) },
    },
  },
  "/whitelist": {
    get: { summary: "The whitelisted IPs and CIDRs.", role: "read", responses: { 200: { description: "Whitelist", schema: schemas.whitelistSchema }, ...errors(401, 403) } },
    post: {
      summary: "Whitelist an IP or CIDR.",
      role: "admin",
      body: schemas.whitelistAddSchema,
      responses: { 201: { description: "Added", schema: schemas.statusMessageSchema }, ...errors(400, 401, 403, 409, 503) },
    },
  },
  "/whitelist/{ip}": {
    delete: {
      summary: "Remove an IP or CIDR (URL-encoded) from the whitelist.",
      role: "admin",
      path: { ip: "The IP address or CIDR to remove." },
      responses: { 200: { description: "Removed", schema: schemas.statusMessageSchema }, ...errors(401, 403, 404, 409, 503) },
    },
  },
  "/stats": {
    get: { summary: "Overview figures for the dashboard.", role: "read", query: schemas.statsQuerySchema, responses: { 200: { description: "Stats", schema: schemas.statsSchema }, ...errors(400, 401, 403) } },
  },
  "/pipeline": {
    get: { summary: "Health of the pipeline's components and the worker's consumer lag.", role: "read", responses: { 200: { description: "Health", schema: schemas.pipelineSchema }, ...errors(401, 403) } },
  },
  "/reports/monthly.pdf": {
    get: {
      summary: "Monthly security report as PDF.",
      role: "read",
      query: z.object({ month: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/).describe("YYYY-MM") }),
      responses: { 200: { description: "PDF", contentType: "application/pdf" }, ...errors(400, 401, 403) },
    },
  },
  "/auth/whoami": {
    get: { summary: "The role of the presented API key.", role: "ingest", responses: { 200: { description: "Role", schema: schemas.whoamiSchema }, ...errors(401, 403) } },
  },
  "/healthz": { get: { summary: "Liveness.", role: null, responses: { 200: { description: "Alive" } } } },
  "/readyz": { get: { summary: "Readiness: Kafka, Elasticsearch and Redis reachable (which check failed, with the read role only).", role: null, responses: { 200: { description: "Ready" }, 503: { description: "Not ready" } } } },
  "/metrics": { get: { summary: "Prometheus metrics.", role: "read", responses: { 200: { description: "Metrics", contentType: "text/plain" } } } },
};

const jsonSchema = (schema: z.ZodType, io: "input" | "output"): unknown =>
  z.toJSONSchema(schema, { io, unrepresentable: "any", target: "draft-2020-12" });

function operationObject(operation: Operation): Record<string, unknown> {
  const parameters = [
    ...Object.entries(operation.path ?? {}).map(([name, description]) => ({ name, in: "path", required: true, description, schema: { type: "string" } })),
    ...Object.entries(operation.query?.shape ?? {}).map(([name, field]) => {
      const schema = jsonSchema(field as z.ZodType, "input") as { description?: string };
      return { name, in: "query", required: !(field as z.ZodType).safeParse(undefined).success, description: schema.description, schema };
    }),
  ];
  const requestBody =
    operation.body === undefined
      ? undefined
      : {
          required: true,
          content: {
            "application/json": { schema: jsonSchema(operation.body, "input") },
            ...(operation.ndjson === true ? { "application/x-ndjson": { schema: jsonSchema(schemas.logSubmissionSchema, "input") } } : {}),
          },
        };
  const responses = Object.fromEntries(
    Object.entries(operation.responses).map(([status, response]) => [
      status,
      {
        description: response.description,
        ...(response.schema !== undefined ? { content: { "application/json": { schema: jsonSchema(response.schema, "output") } } } : {}),
        ...(response.contentType !== undefined ? { content: { [response.contentType]: {} } } : {}),
      },
    ]),
  );
  return {
    summary: operation.summary,
    ...(operation.role === null ? { security: [] } : { description: `Needs the '${operation.role}' role.` }),
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(requestBody !== undefined ? { requestBody } : {}),
    responses,
  };
}

export function openApiDocument(): Record<string, unknown> {
  const paths = Object.fromEntries(
    Object.entries(OPERATIONS).map(([path, methods]) => [
      path,
      Object.fromEntries(Object.entries(methods).map(([method, operation]) => [method, operationObject(operation)])),
    ]),
  );
  return {
    openapi: "3.1.0",
    info: { title: "SOC Pipeline API", version: "0.1.0", description: "Log ingest, alerts, whitelist and reports." },
    components: { securitySchemes: { apiKey: { type: "http", scheme: "bearer" } } },
    security: [{ apiKey: [] }],
    paths,
  };
}
