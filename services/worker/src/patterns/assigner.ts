/**
 * Gives each processed log its template: one miner per log source, restored from the template
 * store the first time the source is seen in this process, and the batch's changes saved back
 * before the batch's documents are written. Sources and templates are bounded, so memory is too.
 */
import { DEFAULT_MINER_OPTIONS, PatternMiner, type MinerSnapshot } from "./miner.ts";
import type { TemplateStore } from "./template-store.ts";

export interface AssignedPattern {
  id: string;
  template: string;
}

export interface PatternAssignerOptions {
  store: TemplateStore;
  /** Miners kept in memory; the least recently used source is dropped (its templates stay in the store). */
  maxSources?: number;
  maxTemplatesPerSource?: number;
  /** Told about stored entries that could not be read. */
  onUnreadable?: (source: string, count: number) => void;
}

export type PatternAssigner = (logs: readonly { message: string; source?: string | undefined }[]) => Promise<AssignedPattern[]>;

/** Logs without a source share one miner. */
export const UNNAMED_SOURCE = "-";

export function createPatternAssigner(options: PatternAssignerOptions): PatternAssigner {
  const maxSources = options.maxSources ?? 32;
  const maxTemplates = options.maxTemplatesPerSource ?? 2_000;
  const miners = new Map<string, PatternMiner>();

  async function minerFor(source: string): Promise<PatternMiner> {
    const known = miners.get(source);
    if (known !== undefined) {
      miners.delete(source);
      miners.set(source, known);
      return known;
    }
    const { templates, unreadable } = await options.store.load(source);
    if (unreadable > 0) options.onUnreadable?.(source, unreadable);
    // Oldest first, so a template forgotten to make room is the least recently created one.
    const kept = templates.sort((a, b) => a.seq - b.seq).slice(-maxTemplates);
    const snapshot: MinerSnapshot = { version: 1, options: { ...DEFAULT_MINER_OPTIONS, maxTemplates }, nextSeq: (kept.at(-1)?.seq ?? -1) + 1, templates: kept };
    const miner = PatternMiner.restore(snapshot);
    miners.set(source, miner);
    if (miners.size > maxSources) miners.delete(miners.keys().next().value as string);
    return miner;
  }

  return async function assign(logs) {
    const touched = new Map<string, PatternMiner>();
    const assigned: AssignedPattern[] = [];
    for (const log of logs) {
      const source = log.source ?? UNNAMED_SOURCE;
      const miner = touched.get(source) ?? (await minerFor(source));
      touched.set(source, miner);
      const { id, template } = miner.add(log.message);
      assigned.push({ id, template });
    }
    await Promise.all([...touched].map(([source, miner]) => options.store.save(source, miner.takeChanges())));
    return assigned;
  };
}
