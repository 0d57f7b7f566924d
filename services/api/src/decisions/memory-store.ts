/**
 * Bans in memory for the embedded default. With a file (`<dataDir>/decisions.json`, mode 0600)
 * they and the bouncers' views survive a restart: a bouncer that keeps pulling across the restart
 * still gets the deletion of a ban that ended meanwhile.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { z } from "zod";
import { banSchema, supersedes, type Ban } from "./ban.ts";
import type { DecisionStore } from "./store.ts";

const savedSchema = z.object({
  lastId: z.number().int().nonnegative(),
  bans: z.array(banSchema),
  views: z.record(z.string(), z.array(banSchema)),
});
type Saved = z.infer<typeof savedSchema>;

export interface MemoryDecisionStoreOptions {
  /** Where the state is kept across restarts; none: memory only. */
  file?: string;
}

export function createMemoryDecisionStore(options: MemoryDecisionStoreOptions = {}): DecisionStore {
  const { file } = options;
  const saved: Saved =
    file !== undefined && existsSync(file)
      ? savedSchema.parse(JSON.parse(readFileSync(file, "utf8")))
      : { lastId: 0, bans: [], views: {} };
  let lastId = saved.lastId;
  const bans = new Map(saved.bans.map((ban) => [ban.ip, ban]));
  const views = new Map(Object.entries(saved.views));

  const dropExpired = (nowSeconds: number): void => {
    for (const [ip, ban] of bans) if (ban.expires_at <= nowSeconds) bans.delete(ip);
  };
  const persist = (): void => {
    if (file === undefined) return;
    const state: Saved = { lastId, bans: [...bans.values()], views: Object.fromEntries(views) };
    // Written whole and renamed, so a crash mid-write leaves the previous state.
    writeFileSync(`${file}.tmp`, JSON.stringify(state), { mode: 0o600 });
    renameSync(`${file}.tmp`, file);
  };

  return {
    async active(nowSeconds) {
      return [...bans.values()].filter((ban) => ban.expires_at > nowSeconds).sort((a, b) => a.id - b.id);
    },
    async ban(request, nowSeconds) {
      dropExpired(nowSeconds);
      const current = bans.get(request.ip) ?? null;
      if (current !== null && !supersedes(request, current, nowSeconds)) return { ban: current, created: false };
      const ban: Ban = { id: ++lastId, ...request };
      bans.set(ban.ip, ban);
      persist();
      return { ban, created: true };
    },
    async lift(ip, nowSeconds) {
      dropExpired(nowSeconds);
      const current = bans.get(ip) ?? null;
      if (current === null) return null;
      bans.delete(ip);
      persist();
      return current;
    },
    async bouncerView(bouncer) {
      return views.get(bouncer) ?? null;
    },
    async saveBouncerView(bouncer, view) {
      views.set(bouncer, view);
      persist();
    },
    async ping() {},
    async close() {},
  };
}
