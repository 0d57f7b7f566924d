/**
 * The catalogue of mined log templates: what each source has shown, how often and when, shared by
 * every worker replica and read by the API (GET /patterns). The worker records each batch's
 * sightings in one atomic step whose answer says, per template, whether any replica had seen it
 * before: exactly one replica learns that a template is new. Redis in production (one Lua script
 * per batch, mirroring `recordInto` below), in memory for the embedded default; one contract suite
 * proves both (pattern-catalogue.contract.ts).
 *
 * Bounded: at most `maxPerSource` templates per source and `maxTotal` in all; beyond, the least
 * recently seen are forgotten (and would be new again).
 */
import type { Redis } from "ioredis";

/** The source templates of logs that named none are mined and catalogued under. */
export const UNNAMED_SOURCE = "-";

/** One template's lines in one batch of one source. */
export interface PatternSighting {
  id: string;
  template: string;
  lines: number;
  /** Event times (epoch seconds) of its first and last line in the batch. */
  firstSeen: number;
  lastSeen: number;
  /** Its first line in the batch, kept when the template is first recorded, and that line's document id. */
  sample: string;
  firstLogId: string;
}

export interface PatternBatch {
  source: string;
  /** Lines of the source in the batch, and the earliest event time among them. */
  lines: number;
  firstSeen: number;
  sightings: PatternSighting[];
  /** Templates the miner merged into an older one: counts and times move to `into`. */
  merged: { from: string; into: string }[];
}

/** What the catalogue knew before the batch. */
export interface PatternHistory {
  /** Lines of the source recorded before the batch, and its earliest event time, the batch's included. */
  sourceLines: number;
  sourceFirstSeen: number;
  /**
   * One per sighting, in order. `known` is false for a template first recorded by this very line:
   * a redelivered batch finds its new templates new again.
   */
  patterns: { known: boolean; seenBefore: number; escalated: boolean }[];
}

/** A template as GET /patterns shows it. */
export interface PatternSummary {
  id: string;
  source: string;
  template: string;
  count: number;
  first_seen: number;
  last_seen: number;
  sample: string;
  /** The processed_logs document of the template's first line. */
  first_log_id: string;
  /** An analyst acknowledged or resolved an alert on it: its keyword hits keep their severity. */
  escalated: boolean;
}

export interface PatternQuery {
  source?: string;
  limit: number;
  /** Opaque cursor from a previous page's next_cursor. */
  cursor?: string;
}

export interface PatternPage {
  /** Most recently seen first. */
  items: PatternSummary[];
  next_cursor: string | null;
  total: number;
}

export interface PatternCatalogue {
  record(batch: PatternBatch): Promise<PatternHistory>;
  list(query: PatternQuery): Promise<PatternPage>;
  /** False when the catalogue holds no such template. */
  markEscalated(source: string, id: string): Promise<boolean>;
}

export interface PatternCatalogueLimits {
  maxPerSource: number;
  maxTotal: number;
}

export const DEFAULT_CATALOGUE_LIMITS: PatternCatalogueLimits = { maxPerSource: 5_000, maxTotal: 100_000 };

/** Longest template and sample kept: enough to recognise a line, bounded per entry. */
export const MAX_TEMPLATE_CHARS = 1_024;
export const MAX_SAMPLE_CHARS = 512;

interface Entry {
  template: string;
  count: number;
  first_seen: number;
  last_seen: number;
  sample: string;
  first_log_id: string;
  escalated: boolean;
}

/** Paging position: the last item's last_seen and its member (template id, then source). */
interface Cursor {
  score: number;
  member: string;
}

const ID_CHARS = 16;
const memberOf = (source: string, id: string): string => `${id}${source}`;
const splitMember = (member: string): { id: string; source: string } => ({
  id: member.slice(0, ID_CHARS),
  source: member.slice(ID_CHARS),
});

const encodeCursor = (cursor: Cursor): string =>
  Buffer.from(JSON.stringify([cursor.score, cursor.member])).toString("base64url");

/** The cursor, or null for any text this catalogue did not issue. */
export function decodePatternCursor(text: string): Cursor | null {
  try {
    const value: unknown = JSON.parse(Buffer.from(text, "base64url").toString("utf8"));
    if (
      Array.isArray(value) &&
      value.length === 2 &&
      typeof value[0] === "number" &&
      Number.isFinite(value[0]) &&
      typeof value[1] === "string" &&
      value[1].length > ID_CHARS
    ) {
      return { score: value[0], member: value[1] };
    }
  } catch {
    // not one of ours: the caller answers 400
  }
  return null;
}

/** Most recently seen first; equal times by member, descending (as Redis orders ZREVRANGEBYSCORE). */
const before = (a: Cursor, b: Cursor): boolean => a.score > b.score || (a.score === b.score && a.member > b.member);

const clip = (text: string, max: number): string => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);

function summaryOf(source: string, id: string, entry: Entry): PatternSummary {
  return { id, source, ...entry };
}

function checkLimits(limits: PatternCatalogueLimits): void {
  if (!(limits.maxPerSource >= 1 && limits.maxTotal >= 1))
    throw new RangeError("pattern catalogue limits must be at least 1");
}

// ── In memory ────────────────────────────────────────────────────────────────────────────────

interface SourceState {
  lines: number;
  firstSeen: number;
  /** Least recently recorded first (re-inserted on every sighting). */
  entries: Map<string, Entry>;
}

/** Every kept template, least recently recorded first: who goes when the total is over its limit. */
type Recency = Map<string, { source: string; id: string }>;

function touch(recency: Recency, source: string, id: string): void {
  const member = memberOf(source, id);
  recency.delete(member);
  recency.set(member, { source, id });
}

function forget(sources: Map<string, SourceState>, recency: Recency, source: string, id: string): void {
  sources.get(source)?.entries.delete(id);
  recency.delete(memberOf(source, id));
}

/**
 * One batch into the in-memory state; the Redis adapter runs the same steps as one Lua script.
 * Recency here is the order of recording, there the last event time: the same for logs in order.
 */
function recordInto(sources: Map<string, SourceState>, recency: Recency, batch: PatternBatch): PatternHistory {
  const state = sources.get(batch.source) ?? {
    lines: 0,
    firstSeen: batch.firstSeen,
    entries: new Map<string, Entry>(),
  };
  sources.set(batch.source, state);
  const history: PatternHistory = {
    sourceLines: state.lines,
    sourceFirstSeen: Math.min(state.firstSeen, batch.firstSeen),
    patterns: [],
  };
  state.lines += batch.lines;
  state.firstSeen = history.sourceFirstSeen;
  const keep = (id: string, entry: Entry): void => {
    state.entries.delete(id);
    state.entries.set(id, entry);
    touch(recency, batch.source, id);
  };
  for (const sighting of batch.sightings) {
    const stored = state.entries.get(sighting.id);
    history.patterns.push({
      known: stored !== undefined && stored.first_log_id !== sighting.firstLogId,
      seenBefore: stored?.count ?? 0,
      escalated: stored?.escalated ?? false,
    });
    const entry: Entry = stored ?? {
      template: "",
      count: 0,
      first_seen: sighting.firstSeen,
      last_seen: sighting.lastSeen,
      sample: clip(sighting.sample, MAX_SAMPLE_CHARS),
      first_log_id: sighting.firstLogId,
      escalated: false,
    };
    entry.template = clip(sighting.template, MAX_TEMPLATE_CHARS);
    entry.count += sighting.lines;
    entry.first_seen = Math.min(entry.first_seen, sighting.firstSeen);
    entry.last_seen = Math.max(entry.last_seen, sighting.lastSeen);
    keep(sighting.id, entry);
  }
  for (const { from, into } of batch.merged) {
    const member = state.entries.get(from);
    if (member === undefined || from === into) continue;
    forget(sources, recency, batch.source, from);
    const survivor = state.entries.get(into);
    if (survivor !== undefined) {
      survivor.count += member.count;
      survivor.first_seen = Math.min(survivor.first_seen, member.first_seen);
      survivor.last_seen = Math.max(survivor.last_seen, member.last_seen);
      survivor.escalated ||= member.escalated;
    }
    keep(into, survivor ?? member);
  }
  return history;
}

function forgetBeyond(
  sources: Map<string, SourceState>,
  recency: Recency,
  limits: PatternCatalogueLimits,
  source: string,
): void {
  const state = sources.get(source);
  while (state !== undefined && state.entries.size > limits.maxPerSource)
    forget(sources, recency, source, state.entries.keys().next().value as string);
  while (recency.size > limits.maxTotal) {
    const oldest = recency.values().next().value as { source: string; id: string };
    forget(sources, recency, oldest.source, oldest.id);
  }
}

/** Everything, most recently seen first. */
function ordered(
  sources: Map<string, SourceState>,
  source: string | undefined,
): { cursor: Cursor; summary: PatternSummary }[] {
  const picked =
    source === undefined
      ? [...sources]
      : sources.has(source)
        ? [[source, sources.get(source) as SourceState] as const]
        : [];
  const all = picked.flatMap(([name, state]) =>
    [...state.entries].map(([id, entry]) => ({
      cursor: { score: entry.last_seen, member: memberOf(name, id) },
      summary: summaryOf(name, id, entry),
    })),
  );
  return all.sort((a, b) => (before(a.cursor, b.cursor) ? -1 : before(b.cursor, a.cursor) ? 1 : 0));
}

export function createMemoryPatternCatalogue(
  limits: PatternCatalogueLimits = DEFAULT_CATALOGUE_LIMITS,
): PatternCatalogue & { size(): number } {
  checkLimits(limits);
  const sources = new Map<string, SourceState>();
  const recency: Recency = new Map();
  return {
    async record(batch) {
      const history = recordInto(sources, recency, batch);
      forgetBeyond(sources, recency, limits, batch.source);
      return history;
    },
    async list({ source, limit, cursor }) {
      const after = cursor === undefined ? null : decodePatternCursor(cursor);
      const all = ordered(sources, source);
      const rest = after === null ? all : all.filter((item) => before(after, item.cursor));
      const page = rest.slice(0, limit);
      const last = page.at(-1);
      return {
        items: page.map((item) => item.summary),
        next_cursor: rest.length > limit && last !== undefined ? encodeCursor(last.cursor) : null,
        total: all.length,
      };
    },
    async markEscalated(source, id) {
      const entry = sources.get(source)?.entries.get(id);
      if (entry === undefined) return false;
      entry.escalated = true;
      return true;
    },
    size: () => recency.size,
  };
}

// ── Redis ───────────────────────────────────────────────────────────────────────────────────
// <prefix>pattern-catalogue:<source>        hash: template id → entry (JSON), `~source` → {lines, first_seen}
// <prefix>pattern-catalogue:<source>:seen   sorted set: template id, scored by last_seen
// <prefix>pattern-catalogue:seen            sorted set: template id + source, scored by last_seen

// KEYS[1] source hash, KEYS[2] source set, KEYS[3] global set
// ARGV source, prefix, maxPerSource, maxTotal, lines, firstSeen, n, n × (id, template, lines, first, last, sample, firstLogId), m, m × (from, into)
const RECORD_SCRIPT = `
local source, prefix = ARGV[1], ARGV[2]
local meta = redis.call('HGET', KEYS[1], '~source')
local lines, first = 0, tonumber(ARGV[6])
if meta then
  local m = cjson.decode(meta)
  lines = m.lines
  first = math.min(m.first_seen, first)
end
redis.call('HSET', KEYS[1], '~source', cjson.encode({lines = lines + tonumber(ARGV[5]), first_seen = first}))
local reply = {lines, tostring(first)}
local function save(id, e)
  redis.call('HSET', KEYS[1], id, cjson.encode(e))
  redis.call('ZADD', KEYS[2], e.last_seen, id)
  redis.call('ZADD', KEYS[3], e.last_seen, id .. source)
end
local function forget(src, id)
  redis.call('HDEL', prefix .. src, id)
  redis.call('ZREM', prefix .. src .. ':seen', id)
  redis.call('ZREM', KEYS[3], id .. src)
end
local i = 8
for _ = 1, tonumber(ARGV[7]) do
  local id = ARGV[i]
  local stored = redis.call('HGET', KEYS[1], id)
  local e
  if stored then
    e = cjson.decode(stored)
    table.insert(reply, e.first_log_id == ARGV[i + 6] and 0 or 1)
    table.insert(reply, e.count)
    table.insert(reply, e.escalated and 1 or 0)
  else
    e = {count = 0, first_seen = tonumber(ARGV[i + 3]), last_seen = tonumber(ARGV[i + 4]), sample = ARGV[i + 5], first_log_id = ARGV[i + 6], escalated = false}
    table.insert(reply, 0)
    table.insert(reply, 0)
    table.insert(reply, 0)
  end
  e.template = ARGV[i + 1]
  e.count = e.count + tonumber(ARGV[i + 2])
  e.first_seen = math.min(e.first_seen, tonumber(ARGV[i + 3]))
  e.last_seen = math.max(e.last_seen, tonumber(ARGV[i + 4]))
  save(id, e)
  i = i + 7
end
local merges = tonumber(ARGV[i])
for k = 1, merges do
  local from, into = ARGV[i + 2 * k - 1], ARGV[i + 2 * k]
  local member = redis.call('HGET', KEYS[1], from)
  if member and from ~= into then
    local m = cjson.decode(member)
    forget(source, from)
    local stored = redis.call('HGET', KEYS[1], into)
    if stored then
      local s = cjson.decode(stored)
      s.count = s.count + m.count
      s.first_seen = math.min(s.first_seen, m.first_seen)
      s.last_seen = math.max(s.last_seen, m.last_seen)
      s.escalated = s.escalated or m.escalated
      m = s
    end
    save(into, m)
  end
end
local excess = redis.call('ZCARD', KEYS[2]) - tonumber(ARGV[3])
if excess > 0 then
  for _, id in ipairs(redis.call('ZRANGE', KEYS[2], 0, excess - 1)) do forget(source, id) end
end
excess = redis.call('ZCARD', KEYS[3]) - tonumber(ARGV[4])
if excess > 0 then
  for _, member in ipairs(redis.call('ZRANGE', KEYS[3], 0, excess - 1)) do forget(string.sub(member, ${ID_CHARS + 1}), string.sub(member, 1, ${ID_CHARS})) end
end
return reply`;

// KEYS[1] source hash   ARGV id
const ESCALATE_SCRIPT = `
local stored = redis.call('HGET', KEYS[1], ARGV[1])
if not stored then return 0 end
local e = cjson.decode(stored)
e.escalated = true
redis.call('HSET', KEYS[1], ARGV[1], cjson.encode(e))
return 1`;

/** The Redis commands the catalogue uses; an ioredis client has them. */
export type PatternCatalogueRedis = Pick<Redis, "eval" | "hmget" | "zcard" | "zrevrangebyscore">;

const isEntry = (value: unknown): value is Entry => {
  if (typeof value !== "object" || value === null) return false;
  const e = value as Record<string, unknown>;
  return (
    typeof e.template === "string" &&
    typeof e.count === "number" &&
    typeof e.first_seen === "number" &&
    typeof e.last_seen === "number" &&
    typeof e.sample === "string" &&
    typeof e.first_log_id === "string" &&
    typeof e.escalated === "boolean"
  );
};

function parseEntry(json: string | null): Entry | null {
  if (json === null) return null;
  try {
    const value: unknown = JSON.parse(json);
    return isEntry(value) ? value : null;
  } catch {
    return null;
  }
}

export function createRedisPatternCatalogue(
  redis: PatternCatalogueRedis,
  keyPrefix: string,
  limits: PatternCatalogueLimits = DEFAULT_CATALOGUE_LIMITS,
): PatternCatalogue {
  checkLimits(limits);
  const base = `${keyPrefix}pattern-catalogue:`;
  const hashOf = (source: string): string => `${base}${source}`;
  const seenOf = (source: string): string => `${base}${source}:seen`;
  const globalSeen = `${base}seen`;

  /** Members of a set, most recently seen first, after `cursor`; one more than asked shows there is a next page. */
  async function pageOf(key: string, limit: number, cursor: Cursor | null): Promise<Cursor[]> {
    const pairs = (flat: string[]): Cursor[] =>
      Array.from({ length: flat.length / 2 }, (_, i) => ({
        member: flat[2 * i] as string,
        score: Number(flat[2 * i + 1]),
      }));
    if (cursor === null)
      return pairs(await redis.zrevrangebyscore(key, "+inf", "-inf", "WITHSCORES", "LIMIT", 0, limit + 1));
    const ties = pairs(await redis.zrevrangebyscore(key, cursor.score, cursor.score, "WITHSCORES")).filter((item) =>
      before(cursor, item),
    );
    if (ties.length > limit) return ties.slice(0, limit + 1);
    const older = pairs(
      await redis.zrevrangebyscore(key, `(${cursor.score}`, "-inf", "WITHSCORES", "LIMIT", 0, limit + 1 - ties.length),
    );
    return [...ties, ...older];
  }

  return {
    async record(batch) {
      const sightings = batch.sightings.flatMap((s) => [
        s.id,
        clip(s.template, MAX_TEMPLATE_CHARS),
        s.lines,
        s.firstSeen,
        s.lastSeen,
        clip(s.sample, MAX_SAMPLE_CHARS),
        s.firstLogId,
      ]);
      const merges = batch.merged.flatMap((m) => [m.from, m.into]);
      const args = [
        batch.source,
        base,
        limits.maxPerSource,
        limits.maxTotal,
        batch.lines,
        batch.firstSeen,
        batch.sightings.length,
        ...sightings,
        batch.merged.length,
        ...merges,
      ];
      const reply = (await redis.eval(
        RECORD_SCRIPT,
        3,
        hashOf(batch.source),
        seenOf(batch.source),
        globalSeen,
        ...args,
      )) as (number | string)[];
      return {
        sourceLines: Number(reply[0]),
        sourceFirstSeen: Number(reply[1]),
        patterns: batch.sightings.map((_, i) => ({
          known: reply[2 + 3 * i] === 1,
          seenBefore: Number(reply[3 + 3 * i]),
          escalated: reply[4 + 3 * i] === 1,
        })),
      };
    },
    async list({ source, limit, cursor }) {
      const after = cursor === undefined ? null : decodePatternCursor(cursor);
      const key = source === undefined ? globalSeen : seenOf(source);
      // A source's set holds ids alone; ids have one length, so ordering by id orders by id + source too.
      const from =
        after === null || source === undefined
          ? after
          : { score: after.score, member: after.member.slice(0, ID_CHARS) };
      const [page, total] = await Promise.all([pageOf(key, limit, from), redis.zcard(key)]);
      const shown = page
        .slice(0, limit)
        .map((item) => ({ item, ...(source === undefined ? splitMember(item.member) : { id: item.member, source }) }));
      const bySource = new Map<string, string[]>();
      for (const { id, source: name } of shown) bySource.set(name, [...(bySource.get(name) ?? []), id]);
      const entries = new Map<string, Entry | null>();
      await Promise.all(
        [...bySource].map(async ([name, ids]) => {
          const values = await redis.hmget(hashOf(name), ...ids);
          ids.forEach((id, i) => entries.set(memberOf(name, id), parseEntry(values[i] ?? null)));
        }),
      );
      // An entry forgotten between the two reads is left out, not shown half.
      const items = shown.flatMap(({ id, source: name }) => {
        const entry = entries.get(memberOf(name, id));
        return entry == null ? [] : [summaryOf(name, id, entry)];
      });
      const last = shown.at(-1);
      const cursorOf = (c: Cursor): Cursor =>
        source === undefined ? c : { score: c.score, member: memberOf(source, c.member) };
      return {
        items,
        next_cursor: page.length > limit && last !== undefined ? encodeCursor(cursorOf(last.item)) : null,
        total,
      };
    },
    async markEscalated(source, id) {
      return (await redis.eval(ESCALATE_SCRIPT, 1, hashOf(source), id)) === 1;
    },
  };
}
