/**
 * Splits a masked line into what identifies its template and what varies. Tokens made only of
 * variables and punctuation (`<NUM>`, `[<IP>]`, `(<SIZE>)`) are gaps: a template may hold any number
 * of them between two of its words, which is how `0 bytes sent` and `1190 bytes (1.16 KB) sent` stay
 * one template. Every other token is a slot, compared by its shape: digits and placeholders inside it
 * (and words holding a digit) become `<*>`, so `uid=0` and `uid=1000` are the same slot, `[Thunderbird_A8]`
 * and `[Thunderbird_B5]` too, while `isOverlap:true` and `isOverlap:false` are not.
 */
import { maskVariables } from "./masks.ts";

export const WILDCARD = "<*>";

/** Longer lines keep their first tokens only: the cost per line stays bounded. */
export const MAX_TOKENS = 256;

export interface ParsedLine {
  /** Slot shapes: the key a template is found by. */
  shapes: string[];
  /** Masked text of each slot, for the readable template. */
  slots: string[];
  /** Gap text before each slot and after the last one (`slots.length + 1` entries, "" when empty). */
  gaps: string[];
}

const HAS_VARIABLE_PART = /[<\d]/;
const PLACEHOLDER = /^<[A-Z]+>/;
const WORD_CHARACTER = /[\p{L}\p{N}]/u;
const DIGIT = /\p{Nd}/u;
const LETTER = /\p{L}/u;
// Punctuation between two variable parts joins them into one: `<*>.<*>`, `<*>_<*>` are `<*>`.
const JOINERS = ".:_-/,";

/** End of the run of letters and digits starting at `start`, negative when the run holds a digit. */
function wordRunEnd(token: string, start: number): number {
  let end = start;
  let hasDigit = false;
  while (end < token.length) {
    const code = token.charCodeAt(end);
    if (code < 128) {
      const digit = code >= 48 && code <= 57;
      if (!digit && !((code >= 65 && code <= 90) || (code >= 97 && code <= 122))) break;
      hasDigit ||= digit;
      end++;
      continue;
    }
    const character = String.fromCodePoint(token.codePointAt(end) as number);
    if (!WORD_CHARACTER.test(character)) break;
    hasDigit ||= DIGIT.test(character);
    end += character.length;
  }
  return hasDigit ? -end : end;
}

function appendWildcard(shape: string): string {
  if (shape.endsWith(WILDCARD)) return shape;
  const joined =
    shape.length > WILDCARD.length &&
    JOINERS.includes(shape[shape.length - 1] as string) &&
    shape.endsWith(WILDCARD, shape.length - 1);
  return joined ? shape.slice(0, -1) : shape + WILDCARD;
}

/**
 * The token with each variable part written `<*>`, adjacent ones merged. A variable part is a
 * placeholder or a word with a digit in it: `A8`, `an14`, `amd64` name things, they do not say what
 * happened. One pass over the token.
 */
export function shapeOf(token: string): string {
  if (!HAS_VARIABLE_PART.test(token)) return token;
  let shape = "";
  let i = 0;
  while (i < token.length) {
    const placeholder = token.charCodeAt(i) === 60 ? PLACEHOLDER.exec(token.slice(i, i + 16)) : null;
    if (placeholder !== null) {
      shape = appendWildcard(shape);
      i += placeholder[0].length;
      continue;
    }
    const runEnd = wordRunEnd(token, i);
    const end = Math.abs(runEnd);
    if (end === i) shape += token[i++];
    else {
      shape = runEnd < 0 ? appendWildcard(shape) : shape + token.slice(i, end);
      i = end;
    }
  }
  return shape;
}

/** A gap token: it has a variable part and, besides variables, only punctuation. */
export const isGapShape = (token: string, shape: string): boolean =>
  shape !== token && !LETTER.test(shape.replaceAll(WILDCARD, ""));

/** A slot with a variable part (`uid=<*>`, `broadcast_<*>`), as opposed to a word kept as written. */
export const isSoftShape = (shape: string): boolean => shape.includes(WILDCARD);

interface Segment {
  softs: string[];
  hasGap: boolean;
}

/** Soft slots and gaps between consecutive hard slots (one segment more than hard slots). */
function segments(line: Pick<ParsedLine, "shapes" | "gaps">): Segment[] {
  const result: Segment[] = [{ softs: [], hasGap: false }];
  line.shapes.forEach((shape, i) => {
    const current = result[result.length - 1] as Segment;
    current.hasGap ||= line.gaps[i] !== "";
    if (isSoftShape(shape)) current.softs.push(shape);
    else result.push({ softs: [], hasGap: false });
  });
  (result[result.length - 1] as Segment).hasGap ||= line.gaps[line.shapes.length] !== "";
  return result;
}

const sameSofts = (a: Segment, b: Segment): boolean =>
  a.softs.length === b.softs.length && a.softs.every((soft, i) => soft === b.softs[i]);
const holdsOneVariable = (segment: Segment): boolean =>
  segment.softs.length <= 1 && (segment.softs.length === 1 || segment.hasGap);

/**
 * Lines with the same words that differ in one variable only: `program <PATH>` and
 * `program IMB-MPI1.2MB_perf`, `Block rdd_<*>` and `Block broadcast_<*>`. Call only for equal hard keys.
 */
export function differInOneVariable(
  a: Pick<ParsedLine, "shapes" | "gaps">,
  b: Pick<ParsedLine, "shapes" | "gaps">,
): boolean {
  const left = segments(a);
  const right = segments(b);
  let differences = 0;
  for (let k = 0; k < left.length && differences <= 1; k++) {
    const l = left[k] as Segment;
    const r = right[k] as Segment;
    if (sameSofts(l, r)) continue;
    if (!holdsOneVariable(l) || !holdsOneVariable(r)) return false;
    differences++;
  }
  return differences <= 1;
}

/** The hard slots, when there are enough of them to say two lines are the same event. */
export function hardKeyOf(shapes: readonly string[], minimum: number): string | null {
  const hard = shapes.filter((shape) => !isSoftShape(shape));
  return hard.length >= minimum ? hard.join("\n") : null;
}

export function parseLine(content: string): ParsedLine {
  const tokens = maskVariables(content).split(/\s+/, MAX_TOKENS + 1);
  const shapes: string[] = [];
  const slots: string[] = [];
  const gaps: string[] = [];
  let gap = "";
  const count = Math.min(tokens.length, MAX_TOKENS);
  for (let i = 0; i < count; i++) {
    const token = tokens[i] as string;
    if (token === "") continue;
    const shape = shapeOf(token);
    if (isGapShape(token, shape)) {
      gap = gap === "" ? token : `${gap} ${token}`;
      continue;
    }
    shapes.push(shape);
    slots.push(token);
    gaps.push(gap);
    gap = "";
  }
  gaps.push(gap);
  return { shapes, slots, gaps };
}
