/**
 * Where mined templates live between restarts and across worker replicas: one Redis hash per log
 * source (`<prefix>patterns:<source>`), a field per template id holding its state as JSON. Ids are
 * hashes of a template's first form, so replicas that mine the same template write the same field.
 */
import { z } from "zod";
import type { TemplateState } from "./miner.ts";

export interface TemplateStore {
  /** Every template saved for `source`; entries that do not parse are skipped and counted. */
  load(source: string): Promise<{ templates: TemplateState[]; unreadable: number }>;
  /** Writes changed templates and deletes the ids the miner no longer keeps. */
  save(source: string, changes: { changed: TemplateState[]; removed: string[] }): Promise<void>;
}

/** The three hash commands the store needs; an ioredis client has them. */
export interface RedisHashes {
  hgetall(key: string): Promise<Record<string, string>>;
  hset(key: string, fields: Record<string, string>): Promise<number>;
  hdel(key: string, ...fields: string[]): Promise<number>;
}

const templateStateSchema = z.object({
  id: z.string().regex(/^[0-9a-f]{16}$/),
  seq: z.number().int().nonnegative(),
  shapes: z.array(z.string()),
  slots: z.array(z.string()),
  gaps: z.array(z.string()),
  count: z.number().int().nonnegative(),
  keys: z.array(z.string()).min(1),
  aliases: z.array(z.string()),
});

/** A stored entry is trusted only when its arrays line up as the miner builds them. */
const parseTemplateState = (json: string): TemplateState | null => {
  try {
    const parsed = templateStateSchema.safeParse(JSON.parse(json));
    if (!parsed.success) return null;
    const state = parsed.data;
    return state.slots.length === state.shapes.length && state.gaps.length === state.shapes.length + 1 ? state : null;
  } catch {
    return null;
  }
};

function decodeAll(fields: Iterable<string>): { templates: TemplateState[]; unreadable: number } {
  const templates: TemplateState[] = [];
  let unreadable = 0;
  for (const json of fields) {
    const state = parseTemplateState(json);
    if (state === null) unreadable++;
    else templates.push(state);
  }
  return { templates, unreadable };
}

export function createRedisTemplateStore(redis: RedisHashes, keyPrefix: string): TemplateStore {
  const keyOf = (source: string): string => `${keyPrefix}patterns:${source}`;
  return {
    async load(source) {
      return decodeAll(Object.values(await redis.hgetall(keyOf(source))));
    },
    async save(source, { changed, removed }) {
      if (changed.length > 0)
        await redis.hset(keyOf(source), Object.fromEntries(changed.map((state) => [state.id, JSON.stringify(state)])));
      if (removed.length > 0) await redis.hdel(keyOf(source), ...removed);
    },
  };
}

/** For the embedded pipeline and tests: the same behaviour, in this process only. */
export function createMemoryTemplateStore(): TemplateStore {
  const sources = new Map<string, Map<string, string>>();
  return {
    async load(source) {
      return decodeAll(sources.get(source)?.values() ?? []);
    },
    async save(source, { changed, removed }) {
      const fields = sources.get(source) ?? new Map<string, string>();
      for (const state of changed) fields.set(state.id, JSON.stringify(state));
      for (const id of removed) fields.delete(id);
      sources.set(source, fields);
    },
  };
}
