/** The whitelist: read from this replica's copy, changed by publishing to config-updates. */
import Router from "@koa/router";
import { AppError, normalizeEntry, TOPICS, whitelistUpdateMessage } from "@soc/shared";
import { requireRole } from "../auth.ts";
import { readJsonBody } from "../body.ts";
import type { ApiDeps } from "../deps.ts";
import { whitelistAddSchema } from "../schemas.ts";

export function whitelistRoutes(deps: ApiDeps): Router {
  const router = new Router();

  router.get("/whitelist", requireRole("read"), (ctx) => {
    ctx.body = { whitelisted_ips: deps.whitelist.entries() };
  });

  router.post("/whitelist", requireRole("admin"), async (ctx) => {
    const { ip } = whitelistAddSchema.parse(await readJsonBody(ctx, deps.maxBodyBytes));
    const entry = normalizeEntry(ip);
    await deps.bus.publish((deps.topics ?? TOPICS).configUpdates, [whitelistUpdateMessage({ action: "add", ip: entry })]);
    // Applied here too so this replica answers consistently at once; the topic brings it to the others.
    deps.whitelist.add(entry);
    ctx.status = 201;
    ctx.body = { status: "IP added to whitelist" };
  });

  router.delete("/whitelist/:ip", requireRole("admin"), async (ctx) => {
    const entry = normalizeEntry(ctx.params.ip ?? "");
    if (!deps.whitelist.has(entry)) throw new AppError("not_found", "IP not found in whitelist");
    await deps.bus.publish((deps.topics ?? TOPICS).configUpdates, [whitelistUpdateMessage({ action: "remove", ip: entry })]);
    deps.whitelist.remove(entry);
    ctx.body = { status: "IP removed from whitelist" };
  });

  return router;
}
