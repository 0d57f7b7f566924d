/** GET /alerts (the contract's bare array, paging in headers), PATCH /alerts/{id}, bulk PATCH /alerts. */
import Router from "@koa/router";
import { AppError, decodeCursor } from "@soc/shared";
import { requireRole } from "../auth.ts";
import { readJsonBody } from "../body.ts";
import type { ApiDeps } from "../deps.ts";
import { alertQuerySchema, bulkStatusUpdateSchema, statusUpdateSchema } from "../schemas.ts";

export function alertRoutes(deps: ApiDeps): Router {
  const now = deps.now ?? Date.now;
  const router = new Router();

  router.get("/alerts", requireRole("read"), async (ctx) => {
    const query = alertQuerySchema.parse(ctx.query);
    if (query.cursor !== undefined && decodeCursor(query.cursor) === null) throw new AppError("bad_request", "cursor: not a cursor this API issued");
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
      ...(query.cursor !== undefined ? { cursor: query.cursor } : {}),
    });
    ctx.set("X-Total-Count", String(page.total));
    if (page.next_cursor !== null) ctx.set("X-Next-Cursor", page.next_cursor);
    ctx.body = page.items;
  });

  router.patch("/alerts/:alert_id", requireRole("admin"), async (ctx) => {
    const { status } = statusUpdateSchema.parse(await readJsonBody(ctx, deps.maxBodyBytes));
    const updated = await deps.store.updateStatus(ctx.params.alert_id ?? "", status, now() / 1000);
    if (!updated) throw new AppError("not_found", "Alert not found");
    ctx.body = { status: "Alert status updated successfully" };
  });

  router.patch("/alerts", requireRole("admin"), async (ctx) => {
    const { ids, status } = bulkStatusUpdateSchema.parse(await readJsonBody(ctx, deps.maxBodyBytes));
    const at = now() / 1000;
    const results = await Promise.all(ids.map(async (id) => ({ id, updated: await deps.store.updateStatus(id, status, at) })));
    ctx.body = { updated: results.filter((r) => r.updated).length, not_found: results.filter((r) => !r.updated).map((r) => r.id) };
  });

  return router;
}
