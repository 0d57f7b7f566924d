/** The whitelist: read from this replica's copy, changed by publishing to config-updates. */
import { z } from "zod";
import {
  API_OWNER,
  AppError,
  normalizeEntry,
  ownedByCustomResource,
  TOPICS,
  whitelistUpdateMessage,
  type Whitelist,
} from "@soc/shared";
import { statusMessageSchema, whitelistAddSchema, whitelistSchema } from "../schemas.ts";
import { defineRoute } from "./route.ts";

/** Entries an IpWhitelist owns are managed in Git: an API change would be reverted at the next resync. */
function refuseGitManaged(whitelist: Whitelist, entry: string, change: string): void {
  const owner = whitelist.ownerOf(entry);
  if (owner === undefined || !ownedByCustomResource(owner)) return;
  throw new AppError(
    "conflict",
    `${entry} is managed by ${owner}; ${change} it in Git (the IpWhitelist's spec.entries), not through the API`,
  );
}

const tag = "whitelist";

export const whitelistRoutes = [
  defineRoute({
    method: "get",
    path: "/whitelist",
    operationId: "getWhitelist",
    tag,
    summary: "The whitelisted IPs and CIDRs.",
    access: "read",
    response: { description: "Whitelist", schema: whitelistSchema },
    handle: (_request, _ctx, { deps }) => ({
      whitelisted_ips: deps.whitelist.entries(),
      entries: deps.whitelist.ownedEntries(),
    }),
  }),
  defineRoute({
    method: "post",
    path: "/whitelist",
    operationId: "addToWhitelist",
    tag,
    summary: "Whitelist an IP or CIDR.",
    access: "admin",
    body: { schema: whitelistAddSchema },
    response: { status: 201, description: "Added", schema: statusMessageSchema },
    errors: [409, 503],
    async handle({ body }, _ctx, { deps }) {
      const entry = normalizeEntry(body.ip);
      refuseGitManaged(deps.whitelist, entry, "change");
      await deps.bus.publish((deps.topics ?? TOPICS).configUpdates, [
        whitelistUpdateMessage({ action: "add", ip: entry, owner: API_OWNER }),
      ]);
      // Applied here too so this replica answers consistently at once; the topic brings it to the others.
      deps.whitelist.add(entry, API_OWNER);
      return { status: "IP added to whitelist" };
    },
  }),
  defineRoute({
    method: "delete",
    path: "/whitelist/{ip}",
    operationId: "removeFromWhitelist",
    tag,
    summary: "Remove an IP or CIDR (URL-encoded) from the whitelist.",
    access: "admin",
    params: z.object({ ip: z.string().describe("The IP address or CIDR to remove.") }),
    response: { description: "Removed", schema: statusMessageSchema },
    errors: [404, 409, 503],
    async handle({ params }, _ctx, { deps }) {
      const entry = normalizeEntry(params.ip);
      if (!deps.whitelist.has(entry)) throw new AppError("not_found", "IP not found in whitelist");
      refuseGitManaged(deps.whitelist, entry, "remove");
      await deps.bus.publish((deps.topics ?? TOPICS).configUpdates, [
        whitelistUpdateMessage({ action: "remove", ip: entry, owner: API_OWNER }),
      ]);
      deps.whitelist.remove(entry);
      return { status: "IP removed from whitelist" };
    },
  }),
];
