/** GET /alerts (the contract's bare array, paging in headers), PATCH /alerts/{alert_id}, bulk PATCH /alerts. */
import { z } from "zod";
import { AppError, decodeCursor, UNNAMED_SOURCE, type AlertStatus } from "@soc/shared";
import type { Caller } from "../auth.ts";
import type { ApiDeps } from "../deps.ts";
import {
  alertPageHeadersSchema,
  alertQuerySchema,
  bulkStatusResultSchema,
  bulkStatusUpdateSchema,
  processedLogResponseSchema,
  statusMessageSchema,
  statusUpdateSchema,
} from "../schemas.ts";
import { callerName } from "./decisions.ts";
import { defineRoute } from "./route.ts";
import { learnFromTriage } from "./suppressions.ts";

const tag = "alerts";

/** Statuses by which an analyst says an alert was real. */
const ESCALATING: readonly AlertStatus[] = ["acknowledged", "resolved"];

/**
 * Marks the templates of alerts an analyst took up, so the keyword rule never calls their lines
 * routine. Best effort: the status change stands when the catalogue cannot be reached.
 */
export async function escalateTemplates(deps: ApiDeps, ids: string[], status: AlertStatus): Promise<void> {
  const catalogue = deps.patterns;
  if (catalogue === undefined || !ESCALATING.includes(status)) return;
  try {
    const docs = await Promise.all(ids.map((id) => deps.store.get(id)));
    await Promise.all(
      docs.flatMap((doc) =>
        doc?.is_anomaly === true && doc.pattern !== undefined
          ? [catalogue.markEscalated(doc.source ?? UNNAMED_SOURCE, doc.pattern.id)]
          : [],
      ),
    );
  } catch (error) {
    deps.logger.warn({ err: error }, "could not mark the alerts' log templates escalated");
  }
}

export const alertRoutes = [
  defineRoute({
    method: "get",
    path: "/alerts",
    operationId: "listAlerts",
    tag,
    summary: "Processed logs, newest first. Paging: X-Total-Count and X-Next-Cursor response headers.",
    access: "read",
    query: alertQuerySchema,
    response: {
      description: "Processed logs",
      schema: z.array(processedLogResponseSchema),
      headers: alertPageHeadersSchema,
    },
    async handle({ query }, ctx, { deps }) {
      if (query.cursor !== undefined && decodeCursor(query.cursor) === null)
        throw new AppError("bad_request", "cursor: not a cursor this API issued");
      const rule = query.rule ?? query.reason;
      const page = await deps.store.search({
        size: query.size,
        ...(query.is_anomaly !== undefined ? { is_anomaly: query.is_anomaly } : {}),
        ...(query.status !== undefined ? { status: query.status } : {}),
        ...(rule !== undefined ? { rule } : {}),
        ...(query.source_ip !== undefined ? { source_ip: query.source_ip } : {}),
        ...(query.from !== undefined ? { from: query.from } : {}),
        ...(query.to !== undefined ? { to: query.to } : {}),
        ...(query.q !== undefined ? { text: query.q } : {}),
        ...(query.incident_id !== undefined ? { incident_id: query.incident_id } : {}),
        ...(query.cursor !== undefined ? { cursor: query.cursor } : {}),
      });
      ctx.set("X-Total-Count", String(page.total));
      if (page.next_cursor !== null) ctx.set("X-Next-Cursor", page.next_cursor);
      return page.items;
    },
  }),
  defineRoute({
    method: "patch",
    path: "/alerts/{alert_id}",
    operationId: "setAlertStatus",
    tag,
    summary: "Set the status of one alert.",
    access: "admin",
    params: z.object({ alert_id: z.string().describe("The alert's document id.") }),
    body: { schema: statusUpdateSchema },
    response: { description: "Updated", schema: statusMessageSchema },
    errors: [404, 503],
    async handle({ params, body }, ctx, { deps }) {
      const updated = await deps.store.updateStatus(params.alert_id, body.status, (deps.now ?? Date.now)() / 1000);
      if (!updated) throw new AppError("not_found", "Alert not found");
      await escalateTemplates(deps, [params.alert_id], body.status);
      await learnFromTriage(deps, [params.alert_id], body.status, callerName(ctx.state as Caller));
      return { status: "Alert status updated successfully" };
    },
  }),
  defineRoute({
    method: "patch",
    path: "/alerts",
    operationId: "setAlertStatuses",
    tag,
    summary: "Set the status of many alerts at once.",
    access: "admin",
    body: { schema: bulkStatusUpdateSchema },
    response: { description: "Result", schema: bulkStatusResultSchema },
    errors: [503],
    async handle({ body: { ids, status } }, ctx, { deps }) {
      const at = (deps.now ?? Date.now)() / 1000;
      const results = await Promise.all(
        ids.map(async (id) => ({ id, updated: await deps.store.updateStatus(id, status, at) })),
      );
      const updated = results.filter((r) => r.updated).map((r) => r.id);
      await escalateTemplates(deps, updated, status);
      await learnFromTriage(deps, updated, status, callerName(ctx.state as Caller));
      return {
        updated: results.filter((r) => r.updated).length,
        not_found: results.filter((r) => !r.updated).map((r) => r.id),
      };
    },
  }),
];
