/** The whitelist: read from this replica's copy, changed by publishing to config-updates. */
import Router from "@koa/router";
import { API_OWNER, AppError, normalizeEntry, ownedByCustomResource, TOPICS, whitelistUpdateMessage, type Whitelist } from "@soc/shared";
import { requireRole } from "../auth.ts";
import { readJsonBody } from "../body.ts";
import type { ApiDeps } from "../deps.ts";
import { whitelistAddSchema } from "../schemas.ts";

/** Entries an IpWhitelist owns are managed in Git: an API change would be reverted at the next resync. */
function refuseGitManaged(whitelist: Whitelist, entry: string, change: string): void {
  const owner = whitelist.ownerOf(entry);
  if (owner === undefined || !ownedByCustomResource(owner)) return;
  throw new AppError("conflict", `${entry} is managed by ${owner}; ${change} it in Git (the IpWhitelist's spec.entries), not through the API`);
}

export function whitelistRoutes(deps: ApiDeps): Router {
  const router = new Router();

  router.get("/whitelist", requireRole("read"), (ctx) => {
    ctx.body = { whitelisted_ips: deps.whitelist.entries(), entries: deps.whitelist.ownedEntries() };
  });

  router.post("/whitelist", requireRole("admin"), async (ctx) => {
    const { ip } = whitelistAddSchema.parse(await readJsonBody(ctx, deps.maxBodyBytes));
    const entry = normalizeEntry(ip);
    refuseGitManaged(deps.whitelist, entry, "change");
    await deps.bus.publish((deps.topics ?? TOPICS).configUpdates, [whitelistUpdateMessage({ action: "add", ip: entry, owner: API_OWNER })]);
    // Applied here too so this replica answers consistently at once; the topic brings it to the others.
    deps.whitelist.add(entry, API_OWNER);
    ctx.status = 201;
    ctx.body = { status: "IP added to whitelist" };
  });

  router.delete("/whitelist/:ip", requireRole("admin"), async (ctx) => {
    const entry = normalizeEntry(ctx.params.ip ?? "");
    if (!deps.whitelist.has(entry)) throw new AppError("not_found", "IP not found in whitelist");
    refuseGitManaged(deps.whitelist, entry, "remove");
    await deps.bus.publish((deps.topics ?? TOPICS).configUpdates, [whitelistUpdateMessage({ action: "remove", ip: entry, owner: API_OWNER })]);
    deps.whitelist.remove(entry);
    ctx.body = { status: "IP removed from whitelist" };
  });

  return router;
}
