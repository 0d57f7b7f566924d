/**
 * Time-based storage of processed logs and how long it is kept (docs/retention.md). Pure: the
 * clock comes in. Behind the `processed_logs` alias, documents live in one index per period and
 * family, `<alias>-normal-YYYY.MM.DD` and `<alias>-anomalies-YYYY.MM`, so expiring data is
 * deleting whole indices, never a delete-by-query; normal logs and anomalies expire separately.
 */
import { z } from "zod";

export type IndexFamily = "normal" | "anomalies";
/** How much event time one index of a family covers. */
export type IndexPeriod = "day" | "month";

export interface IndexLayout {
  normal: IndexPeriod;
  anomalies: IndexPeriod;
}

/** Days of the past kept, today (UTC) not counted, per family. */
export interface RetentionPolicy {
  normalDays: number;
  anomalyDays: number;
}

export interface RetentionOutcome {
  deletedIndices: string[];
  /** Documents removed one by one (the in-memory store, or an index from before time-based indices). */
  deletedDocuments: number;
}

/** Many normal logs a day; few anomalies, kept for long: a monthly index keeps the shard count low (400 days: 14 shards, not 400). */
export const DEFAULT_LAYOUT: IndexLayout = { normal: "day", anomalies: "month" };
export const DEFAULT_RETENTION: RetentionPolicy = { normalDays: 30, anomalyDays: 400 };

/**
 * An index leaves the writers' range at its cut-off but is deleted only this much later, so a
 * writer whose clock lags, or whose batch was in flight at the cut-off, never writes into an index
 * while it is being deleted (which would re-create it).
 */
export const WRITE_GRACE_SECONDS = 3600;

const DAY = 86_400;
const FAMILIES: readonly IndexFamily[] = ["normal", "anomalies"];

export const familyOf = (doc: { is_anomaly: boolean }): IndexFamily => (doc.is_anomaly ? "anomalies" : "normal");

const daysOf = (family: IndexFamily, policy: RetentionPolicy): number =>
  family === "normal" ? policy.normalDays : policy.anomalyDays;

/** The first instant (epoch seconds) a family still keeps: the start of today (UTC) minus its days. */
export function keptFrom(family: IndexFamily, policy: RetentionPolicy, nowSeconds: number): number {
  return Math.floor(nowSeconds / DAY) * DAY - daysOf(family, policy) * DAY;
}

export function isExpired(
  doc: { is_anomaly: boolean; timestamp: number },
  policy: RetentionPolicy,
  nowSeconds: number,
): boolean {
  return doc.timestamp < keptFrom(familyOf(doc), policy, nowSeconds);
}

/** Start and end (exclusive) of the period holding `seconds`, epoch seconds, UTC. */
function periodAround(seconds: number, period: IndexPeriod): { start: number; end: number } {
  const date = new Date(seconds * 1000);
  const year = date.getUTCFullYear();
  const month = date.getUTCMonth();
  if (period === "month") return { start: Date.UTC(year, month, 1) / 1000, end: Date.UTC(year, month + 1, 1) / 1000 };
  const start = Date.UTC(year, month, date.getUTCDate()) / 1000;
  return { start, end: start + DAY };
}

const two = (n: number): string => String(n).padStart(2, "0");

function periodLabel(seconds: number, period: IndexPeriod): string {
  const date = new Date(seconds * 1000);
  const month = `${String(date.getUTCFullYear()).padStart(4, "0")}.${two(date.getUTCMonth() + 1)}`;
  return period === "month" ? month : `${month}.${two(date.getUTCDate())}`;
}

/** Where an index from before time-based indices (a concrete index named like the alias) is kept behind the alias. */
export const legacyIndexName = (alias: string): string => `${alias}-legacy`;

/** Patterns the alias's index template applies to. */
export const backingIndexPatterns = (alias: string): string[] => FAMILIES.map((family) => `${alias}-${family}-*`);

/**
 * The index a document is written to: its family's period of its event time, but an event from the
 * future goes to the current period and one older than its family keeps goes to the oldest period
 * kept. Either way a source's clock cannot make indices the retention would never (or at once)
 * delete, and the document keeps its own timestamp for every search.
 */
export function backingIndexOf(
  alias: string,
  doc: { is_anomaly: boolean; timestamp: number },
  layout: IndexLayout,
  policy: RetentionPolicy | null,
  nowSeconds: number,
): string {
  const family = familyOf(doc);
  const oldest = policy === null ? 0 : keptFrom(family, policy, nowSeconds);
  const seconds = Math.min(Math.max(doc.timestamp, oldest, 0), nowSeconds);
  return `${alias}-${family}-${periodLabel(seconds, layout[family])}`;
}

/** The indices of the current periods: made at start-up so the alias always has an index to search. */
export function currentIndices(alias: string, layout: IndexLayout, nowSeconds: number): string[] {
  return FAMILIES.map((family) => `${alias}-${family}-${periodLabel(nowSeconds, layout[family])}`);
}

export type BackingIndex = { kind: "period"; family: IndexFamily; start: number; end: number } | { kind: "legacy" };

/** After `<alias>-`: the family, then the period's year, month and (daily indices) day. */
const BACKING_SUFFIX = /^(normal|anomalies)-(\d{4})\.(\d{2})(?:\.(\d{2}))?$/;

/** What an index behind the alias holds, from its name (a day's or a month's, of either layout); null for an index this pipeline did not name. */
export function parseBackingIndex(alias: string, name: string): BackingIndex | null {
  if (name === legacyIndexName(alias)) return { kind: "legacy" };
  const match = name.startsWith(`${alias}-`) ? BACKING_SUFFIX.exec(name.slice(alias.length + 1)) : null;
  if (match === null) return null;
  const [, family, year, month, day] = match;
  const period: IndexPeriod = day === undefined ? "month" : "day";
  const start = Date.UTC(Number(year), Number(month) - 1, Number(day ?? 1)) / 1000;
  // A date that does not exist (2025.02.30, month 13) is not a name this pipeline made.
  if (periodLabel(start, period) !== name.slice(name.lastIndexOf("-") + 1)) return null;
  return { kind: "period", family: family as IndexFamily, ...periodAround(start, period) };
}

export interface RetentionPlan {
  /** Whole indices whose every event is past its family's retention. */
  deleteIndices: string[];
  /** Mixed indices (from before time-based indices): delete the documents older than these instants, by family. */
  pruneIndices: { index: string; keptFrom: Record<IndexFamily, number> }[];
}

/**
 * What a retention run does with the indices behind the alias. An index is deleted only when its
 * whole period ended before its family's cut-off, WRITE_GRACE_SECONDS ago: never today's, never
 * one still in the writers' range. Indices this pipeline did not name are left alone.
 */
export function retentionPlan(
  alias: string,
  indices: string[],
  policy: RetentionPolicy,
  nowSeconds: number,
): RetentionPlan {
  const documentsFrom = {
    normal: keptFrom("normal", policy, nowSeconds),
    anomalies: keptFrom("anomalies", policy, nowSeconds),
  };
  const indicesFrom = {
    normal: keptFrom("normal", policy, nowSeconds - WRITE_GRACE_SECONDS),
    anomalies: keptFrom("anomalies", policy, nowSeconds - WRITE_GRACE_SECONDS),
  };
  const plan: RetentionPlan = { deleteIndices: [], pruneIndices: [] };
  for (const name of [...indices].sort()) {
    const parsed = parseBackingIndex(alias, name);
    if (parsed?.kind === "legacy") plan.pruneIndices.push({ index: name, keptFrom: documentsFrom });
    else if (parsed?.kind === "period" && parsed.end <= indicesFrom[parsed.family]) plan.deleteIndices.push(name);
  }
  return plan;
}

const wholeDays = (max: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, "expected a whole number of days")
    .transform(Number)
    .pipe(z.number().min(1, "expected at least 1 day").max(max, `expected at most ${max} days`));
const indexPeriod = z.enum(["day", "month"]);

/** Environment keys of the retention policy and the index layout, read by every service that opens the store. */
export const retentionEnvShape = {
  /** false: nothing is ever deleted (the scheduled job and the embedded timer do nothing). */
  RETENTION_ENABLED: z
    .enum(["true", "false"])
    .transform((value) => value === "true")
    .default(true),
  RETENTION_NORMAL_DAYS: wholeDays(36_500).default(DEFAULT_RETENTION.normalDays),
  RETENTION_ANOMALY_DAYS: wholeDays(36_500).default(DEFAULT_RETENTION.anomalyDays),
  ELASTICSEARCH_NORMAL_INDEX_PERIOD: indexPeriod.default(DEFAULT_LAYOUT.normal),
  ELASTICSEARCH_ANOMALY_INDEX_PERIOD: indexPeriod.default(DEFAULT_LAYOUT.anomalies),
};
export type RetentionEnv = z.output<z.ZodObject<typeof retentionEnvShape>>;

export const retentionPolicyOf = (env: RetentionEnv): RetentionPolicy | null =>
  env.RETENTION_ENABLED ? { normalDays: env.RETENTION_NORMAL_DAYS, anomalyDays: env.RETENTION_ANOMALY_DAYS } : null;

export const indexLayoutOf = (env: RetentionEnv): IndexLayout => ({
  normal: env.ELASTICSEARCH_NORMAL_INDEX_PERIOD,
  anomalies: env.ELASTICSEARCH_ANOMALY_INDEX_PERIOD,
});
