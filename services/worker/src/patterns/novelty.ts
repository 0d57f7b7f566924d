/**
 * What the catalogue's history means for each line of a batch (pure): whether the line brings a
 * template its source never showed, once the source is past its warm-up, and how familiar its
 * template is. The catalogue answers once per template and batch; lines are taken in order, so
 * only a template's first line in the batch can be new, and later lines count the earlier ones.
 */
import type { PatternHistory } from "@soc/shared";

export interface Warmup {
  /** A source's first lines only teach the miner: none of them is a new pattern. */
  lines: number;
  /** Nor is any line within this many minutes (event time) of the source's first. */
  minutes: number;
}

/** What detection knows of a line's template. */
export interface PatternObservation {
  id: string;
  template: string;
  /** The log's source, or "-" when it named none: templates are mined per source. */
  source: string;
  /** Lines of the template the pipeline recorded before this one. */
  seenBefore: number;
  /** The source is past its warm-up at this line. */
  warmedUp: boolean;
  /** The first line of a template the source had never shown, after its warm-up. */
  novel: boolean;
  /** An analyst acknowledged or resolved an alert on this template. */
  escalated: boolean;
}

export interface MinedLine {
  id: string;
  template: string;
  timeSeconds: number;
}

/**
 * `lines` are one source's lines of a batch, in order; `sightingOf[i]` is the index, in
 * `history.patterns`, of line i's template.
 */
export function observeLines(
  source: string,
  lines: readonly MinedLine[],
  sightingOf: readonly number[],
  history: PatternHistory,
  warmup: Warmup,
): PatternObservation[] {
  const seenInBatch = new Map<number, number>();
  return lines.map((line, i) => {
    const sighting = sightingOf[i] as number;
    const known = history.patterns[sighting] ?? { known: false, seenBefore: 0, escalated: false };
    const earlier = seenInBatch.get(sighting) ?? 0;
    seenInBatch.set(sighting, earlier + 1);
    const warmedUp =
      history.sourceLines + i >= warmup.lines && line.timeSeconds - history.sourceFirstSeen >= warmup.minutes * 60;
    return {
      id: line.id,
      template: line.template,
      source,
      seenBefore: known.seenBefore + earlier,
      warmedUp,
      novel: warmedUp && !known.known && earlier === 0,
      escalated: known.escalated,
    };
  });
}
