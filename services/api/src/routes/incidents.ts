/**
 * GET /incidents, GET /incidents/{incident_id}, PATCH /incidents/{incident_id}: alerts of one rule
 * and subject grouped by the workers (docs/incidents.md). Triage of an incident is triage of its
 * alerts: the status goes to the incident, to the workers' open copy (so a resolved incident takes no
 * more alerts) and to every alert in it.
 */
import { z } from "zod";
import {
  AppError,
  alertStatusSchema,
  DETECTION_RULES,
  decodeCursor,
  incidentSchema,
  withIncidentStatus,
  type AlertStatus,
  type Incident,
} from "@soc/shared";
import type { ApiDeps } from "../deps.ts";
import { commaSeparated, queryTime } from "../schemas.ts";
import { escalateTemplates } from "./alerts.ts";
import { defineRoute } from "./route.ts";

const tag = "incidents";

export const incidentQuerySchema = z.object({
  status: commaSeparated(alertStatusSchema).optional().describe("Comma-separated statuses."),
  rule: commaSeparated(z.enum(DETECTION_RULES)).optional().describe("Comma-separated detection rules."),
  subject: z
    .string()
    .min(1)
    .max(1024)
    .optional()
    .describe("The source address or host (or log source) its alerts share."),
  from: queryTime.optional().describe("Active since: last seen at or after, epoch seconds or RFC 3339."),
  to: queryTime.optional().describe("Active until: first seen at or before, epoch seconds or RFC 3339."),
  size: z.coerce.number().int().min(1).max(1000).default(100),
  cursor: z.string().min(1).max(512).optional().describe("X-Next-Cursor of the previous page."),
});

const incidentResponseSchema = incidentSchema.meta({ id: "Incident" });
const incidentParams = z.object({ incident_id: z.string().min(1).max(512).describe("The incident's id.") });
const incidentStatusResultSchema = z
  .object({ status: z.string(), alerts: z.number().int().describe("Alerts whose status was set with the incident's.") })
  .meta({ id: "IncidentStatusResult" });

const pageHeadersSchema = z.object({
  "X-Total-Count": z.string().regex(/^\d+$/).describe("How many incidents match the filters, on every page."),
  "X-Next-Cursor": z.string().optional().describe("Pass as `cursor` for the next page; absent on the last page."),
});

function incidentsOf(deps: ApiDeps): NonNullable<ApiDeps["incidents"]> {
  if (deps.incidents === undefined) throw new AppError("unavailable", "This API keeps no incidents");
  return deps.incidents;
}

/** The status on the workers' open copy when there is one (its revision then leads), else on the stored one. */
async function triage(
  deps: ApiDeps,
  incident: Incident,
  status: AlertStatus,
  nowSeconds: number,
): Promise<{ incident: Incident; alerts: string[] }> {
  const { tracker, store } = incidentsOf(deps);
  const changed =
    (await tracker.setStatus(incident, status, nowSeconds)) ?? withIncidentStatus(incident, status, nowSeconds);
  await store.put([changed], { visibleNow: true });
  const alerts = await deps.store.updateIncidentStatus(incident.id, status, nowSeconds);
  return { incident: changed, alerts };
}

export const incidentRoutes = [
  defineRoute({
    method: "get",
    path: "/incidents",
    operationId: "listIncidents",
    tag,
    summary: "Incidents, most recently active first. Paging: X-Total-Count and X-Next-Cursor response headers.",
    access: "read",
    query: incidentQuerySchema,
    response: { description: "Incidents", schema: z.array(incidentResponseSchema), headers: pageHeadersSchema },
    errors: [503],
    async handle({ query }, ctx, { deps }) {
      const { store } = incidentsOf(deps);
      if (query.cursor !== undefined && decodeCursor(query.cursor) === null)
        throw new AppError("bad_request", "cursor: not a cursor this API issued");
      const page = await store.search({
        size: query.size,
        ...(query.status !== undefined ? { status: query.status } : {}),
        ...(query.rule !== undefined ? { rule: query.rule } : {}),
        ...(query.subject !== undefined ? { subject: query.subject } : {}),
        ...(query.from !== undefined ? { from: query.from } : {}),
        ...(query.to !== undefined ? { to: query.to } : {}),
        ...(query.cursor !== undefined ? { cursor: query.cursor } : {}),
      });
      ctx.set("X-Total-Count", String(page.total));
      if (page.next_cursor !== null) ctx.set("X-Next-Cursor", page.next_cursor);
      return page.items;
    },
  }),
  defineRoute({
    method: "get",
    path: "/incidents/{incident_id}",
    operationId: "getIncident",
    tag,
    summary: "One incident; its alerts are GET /alerts?incident_id=.",
    access: "read",
    params: incidentParams,
    response: { description: "The incident", schema: incidentResponseSchema },
    errors: [404, 503],
    async handle({ params }, _ctx, { deps }) {
      const incident = await incidentsOf(deps).store.get(params.incident_id);
      if (incident === null) throw new AppError("not_found", "Incident not found");
      return incident;
    },
  }),
  defineRoute({
    method: "patch",
    path: "/incidents/{incident_id}",
    operationId: "setIncidentStatus",
    tag,
    summary:
      "Set the status of an incident and of all its alerts. A resolved incident takes no more alerts: the next one opens a new incident.",
    access: "admin",
    params: incidentParams,
    body: { schema: z.object({ status: alertStatusSchema }).meta({ id: "IncidentStatusUpdate" }) },
    response: { description: "Updated", schema: incidentStatusResultSchema },
    errors: [404, 503],
    async handle({ params, body }, _ctx, { deps }) {
      const incident = await incidentsOf(deps).store.get(params.incident_id);
      if (incident === null) throw new AppError("not_found", "Incident not found");
      const { alerts } = await triage(deps, incident, body.status, (deps.now ?? Date.now)() / 1000);
      await escalateTemplates(deps, alerts, body.status);
      return { status: "Incident status updated successfully", alerts: alerts.length };
    },
  }),
];
