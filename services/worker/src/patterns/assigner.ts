/**
 * Gives each processed log its template: one miner per log source, restored from the template
 * store the first time the source is seen in this process, and the batch's changes saved back
 * before the batch's documents are written. The batch's sightings go to the pattern catalogue,
 * whose answer says which templates are new and how familiar the others are (novelty.ts).
 * Sources and templates are bounded, so memory is too.
 */
import { UNNAMED_SOURCE, type PatternCatalogue, type PatternHistory, type PatternSighting } from "@soc/shared";
import { createMemoryPatternCatalogue } from "@soc/shared/memory";
import { DEFAULT_MINER_OPTIONS, PatternMiner, type MinerSnapshot } from "./miner.ts";
import { observeLines, type MinedLine, type PatternObservation, type Warmup } from "./novelty.ts";
import type { TemplateStore } from "./template-store.ts";

export interface PatternAssignerOptions {
  store: TemplateStore;
  /** Where sightings are counted across replicas; in this process only when absent. */
  catalogue?: PatternCatalogue;
  /** Miners kept in memory; the least recently used source is dropped (its templates stay in the store). */
  maxSources?: number;
  maxTemplatesPerSource?: number;
  /** Told about stored entries that could not be read. */
  onUnreadable?: (source: string, count: number) => void;
}

export interface LineToMine {
  message: string;
  source?: string | undefined;
  /** Event time, epoch seconds. */
  timeSeconds: number;
  /** The line's document id (topic-partition-offset). */
  logId: string;
}

export type PatternAssigner = (lines: readonly LineToMine[], warmup: Warmup) => Promise<PatternObservation[]>;

/** Logs without a source share one miner. */
export { UNNAMED_SOURCE };

/** One source's part of a batch: its lines in order and one sighting per template. */
interface SourceBatch {
  positions: number[];
  mined: MinedLine[];
  sightingOf: number[];
  sightings: PatternSighting[];
  byId: Map<string, number>;
}

function sightLine(batch: SourceBatch, line: LineToMine, position: number, id: string, template: string): void {
  let index = batch.byId.get(id);
  if (index === undefined) {
    index = batch.sightings.length;
    batch.byId.set(id, index);
    batch.sightings.push({
      id,
      template,
      lines: 0,
      firstSeen: line.timeSeconds,
      lastSeen: line.timeSeconds,
      sample: line.message,
      firstLogId: line.logId,
    });
  }
  const sighting = batch.sightings[index] as PatternSighting;
  sighting.lines++;
  sighting.template = template;
  sighting.firstSeen = Math.min(sighting.firstSeen, line.timeSeconds);
  sighting.lastSeen = Math.max(sighting.lastSeen, line.timeSeconds);
  batch.positions.push(position);
  batch.mined.push({ id, template, timeSeconds: line.timeSeconds });
  batch.sightingOf.push(index);
}

export function createPatternAssigner(options: PatternAssignerOptions): PatternAssigner {
  const maxSources = options.maxSources ?? 32;
  const maxTemplates = options.maxTemplatesPerSource ?? 2_000;
  const catalogue = options.catalogue ?? createMemoryPatternCatalogue();
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
    const snapshot: MinerSnapshot = {
      version: 1,
      options: { ...DEFAULT_MINER_OPTIONS, maxTemplates },
      nextSeq: (kept.at(-1)?.seq ?? -1) + 1,
      templates: kept,
    };
    const miner = PatternMiner.restore(snapshot);
    miners.set(source, miner);
    if (miners.size > maxSources) miners.delete(miners.keys().next().value as string);
    return miner;
  }

  /** Saves the miner's changes; returns the merges among them, for the catalogue. */
  async function save(source: string, miner: PatternMiner): Promise<{ from: string; into: string }[]> {
    const changes = miner.takeChanges();
    await options.store.save(source, changes);
    const removed = new Set(changes.removed);
    return changes.changed.flatMap((state) =>
      state.aliases.filter((alias) => removed.has(alias)).map((from) => ({ from, into: state.id })),
    );
  }

  return async function assign(lines, warmup) {
    const batches = new Map<string, SourceBatch & { miner: PatternMiner }>();
    for (const [position, line] of lines.entries()) {
      const source = line.source ?? UNNAMED_SOURCE;
      let batch = batches.get(source);
      if (batch === undefined) {
        batch = {
          miner: await minerFor(source),
          positions: [],
          mined: [],
          sightingOf: [],
          sightings: [],
          byId: new Map(),
        };
        batches.set(source, batch);
      }
      const { id, template } = batch.miner.add(line.message);
      sightLine(batch, line, position, id, template);
    }
    const observations: PatternObservation[] = new Array<PatternObservation>(lines.length);
    await Promise.all(
      [...batches].map(async ([source, batch]) => {
        const merged = await save(source, batch.miner);
        const firstSeen = Math.min(...batch.sightings.map((s) => s.firstSeen));
        const history: PatternHistory = await catalogue.record({
          source,
          lines: batch.mined.length,
          firstSeen,
          sightings: batch.sightings,
          merged,
        });
        observeLines(source, batch.mined, batch.sightingOf, history, warmup).forEach(
          (observation, i) => (observations[batch.positions[i] as number] = observation),
        );
      }),
    );
    return observations;
  };
}
