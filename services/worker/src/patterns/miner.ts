/**
 * Streaming log-template mining. Each line is masked and split into slots and gaps (tokens.ts); its
 * slot shapes are the key of its template, found in one hash lookup, so a line costs O(tokens).
 *
 * Words are constants until shown otherwise: `HTTPS` and `SOCKS5`, `isOverlap:true` and
 * `isOverlap:false`, `VM Paused` and `VM Resumed` are different events. A position becomes a variable
 * when `distinctValuesForVariable` templates have appeared that differ from each other only there
 * (user names, host names without digits): they merge into the oldest of them, and the others'
 * ids become its aliases.
 *
 * Ids: the hash of a template's first form (its first line's key), so every replica mining the same
 * first line names the template alike, and the id does not change while the template generalises.
 *
 * Memory is bounded: at most `maxTemplates` templates, the least recently seen forgotten first,
 * with their keys, sibling registrations and aliases.
 */
import { createHash } from "node:crypto";
import { differInOneVariable, hardKeyOf, parseLine, WILDCARD, type ParsedLine } from "./tokens.ts";

export interface MinerOptions {
  /** Templates kept; beyond it the least recently seen is forgotten. */
  maxTemplates: number;
  /** Distinct values at one position, in otherwise equal templates, that make the position a variable. */
  distinctValuesForVariable: number;
}

export const DEFAULT_MINER_OPTIONS: MinerOptions = { maxTemplates: 10_000, distinctValuesForVariable: 5 };

export interface MinedPattern {
  /** Stable id of the line's template (16 hex digits). */
  id: string;
  /** The template as it stands: constants, typed placeholders such as `<IP>`, `<*>` for mixed variables. */
  template: string;
  /** True when this line created the template. */
  isNew: boolean;
}

/** One template of a snapshot: everything needed to rebuild the miner's indexes. */
export interface TemplateState {
  id: string;
  /** Order of creation: the oldest of merged templates keeps its id. */
  seq: number;
  shapes: string[];
  slots: string[];
  gaps: string[];
  count: number;
  /** First-form keys that lead to this template (its own and those of templates merged into it). */
  keys: string[];
  /** Ids of the templates merged into this one. */
  aliases: string[];
}

export interface MinerSnapshot {
  version: 1;
  options: MinerOptions;
  nextSeq: number;
  /** Least recently seen first. */
  templates: TemplateState[];
}

interface Cluster extends TemplateState {
  wildcards: number;
  siblingKeys: string[];
  rendered: string | null;
  mergedInto: Cluster | null;
  evicted: boolean;
}

const KEY_SEPARATOR = "\n";
/** Words two lines must share before a differing variable-bearing slot may join them. */
const MIN_HARD_SLOTS = 2;
/** Keys remembered per template for lines that joined it by a differing variable; beyond, they are matched again each time. */
const MAX_KEYS_PER_TEMPLATE = 64;
/** Positions beyond this take no part in finding variables by their siblings: bounds the work per new template. */
const MAX_SIBLING_POSITIONS = 64;
/**
 * The less two templates share, the more distinct values it takes to call their difference a variable:
 * `normal` and `warning` alone never merge, `removing echo` and `removing ftp` need twice the evidence.
 */
function distinctValuesNeeded(slots: number, distinctValuesForVariable: number): number {
  if (slots <= 1) return Infinity;
  return slots === 2 ? 2 * distinctValuesForVariable : distinctValuesForVariable;
}

const stateOf = ({ id, seq, shapes, slots, gaps, count, keys, aliases }: TemplateState): TemplateState => ({
  id,
  seq,
  shapes: [...shapes],
  slots: [...slots],
  gaps: [...gaps],
  count,
  keys: [...keys],
  aliases: [...aliases],
});

const templateId = (key: string): string => createHash("sha256").update(key).digest("hex").slice(0, 16);

function render(cluster: Cluster): string {
  if (cluster.rendered !== null) return cluster.rendered;
  const parts: string[] = [];
  cluster.slots.forEach((slot, i) => {
    if (cluster.gaps[i] !== "") parts.push(cluster.gaps[i] as string);
    parts.push(slot);
  });
  const last = cluster.gaps[cluster.slots.length] as string;
  if (last !== "") parts.push(last);
  cluster.rendered = parts.join(" ");
  return cluster.rendered;
}

/** Widens the readable template so it also describes `line`; the key is untouched. */
function describeAlso(cluster: Cluster, line: Pick<ParsedLine, "shapes" | "slots" | "gaps">): void {
  if (line.shapes.length !== cluster.shapes.length) return describeDifferentVariable(cluster, line.shapes);
  const { slots, gaps } = cluster;
  for (let i = 0; i < slots.length; i++) {
    const current = slots[i] as string;
    if (current === line.slots[i] || current === WILDCARD) continue;
    const wider =
      cluster.shapes[i] === WILDCARD || line.shapes[i] !== cluster.shapes[i] ? WILDCARD : (line.shapes[i] as string);
    if (wider !== current) {
      slots[i] = wider;
      cluster.rendered = null;
    }
  }
  for (let i = 0; i < gaps.length; i++) {
    if (gaps[i] === line.gaps[i] || gaps[i] === WILDCARD) continue;
    gaps[i] = WILDCARD;
    cluster.rendered = null;
  }
}

/** A line that joined with one variable in another form: the part between the common prefix and suffix becomes `<*>`. */
function describeDifferentVariable(cluster: Cluster, shapes: readonly string[]): void {
  const template = cluster.shapes;
  let prefix = 0;
  while (prefix < template.length && prefix < shapes.length && template[prefix] === shapes[prefix]) prefix++;
  let suffix = 0;
  while (
    suffix < template.length - prefix &&
    suffix < shapes.length - prefix &&
    template[template.length - 1 - suffix] === shapes[shapes.length - 1 - suffix]
  )
    suffix++;
  const end = template.length - suffix;
  if (end > prefix) for (let i = prefix; i < end; i++) cluster.slots[i] = WILDCARD;
  else cluster.gaps[prefix] = WILDCARD;
  cluster.rendered = null;
}

/** Two 32-bit polynomial hashes of the shapes with position `skip` left out: the key of a sibling group. */
function siblingKeys(shapes: readonly string[]): string[] {
  const n = shapes.length;
  const tokenHashes = shapes.map((shape) => {
    let a = 0x811c9dc5;
    let b = 0x01000193 ^ shape.length;
    for (let i = 0; i < shape.length; i++) {
      const c = shape.charCodeAt(i);
      a = Math.imul(a ^ c, 0x01000193);
      b = Math.imul(b + c, 0x5bd1e995) ^ (b >>> 15);
    }
    return [a >>> 0, b >>> 0] as const;
  });
  const prefix: number[][] = [[n, n * 7 + 1]];
  for (let i = 0; i < n; i++) {
    const [pa, pb] = prefix[i] as number[];
    const [ta, tb] = tokenHashes[i] as readonly [number, number];
    prefix.push([(Math.imul(pa as number, 31) + ta) >>> 0, (Math.imul(pb as number, 1_000_003) ^ tb) >>> 0]);
  }
  const suffix: number[][] = new Array<number[]>(n + 1);
  suffix[n] = [0, 0];
  for (let i = n - 1; i >= 0; i--) {
    const [sa, sb] = suffix[i + 1] as number[];
    const [ta, tb] = tokenHashes[i] as readonly [number, number];
    suffix[i] = [(Math.imul(sa as number, 37) + ta) >>> 0, (Math.imul(sb as number, 998_244_353) ^ tb) >>> 0];
  }
  const keys: string[] = [];
  for (let p = 0; p < Math.min(n, MAX_SIBLING_POSITIONS); p++) {
    const [pa, pb] = prefix[p] as number[];
    const [sa, sb] = suffix[p + 1] as number[];
    keys.push(`${p}:${pa}:${pb}:${sa}:${sb}`);
  }
  return keys;
}

/** `shapes` with one slot fewer than `template`, where a wildcard of the template stands over a gap of the line. */
function fillsWildcardWithGap(template: readonly string[], line: ParsedLine): boolean {
  const { shapes, gaps } = line;
  let p = 0;
  while (p < shapes.length && (template[p] === WILDCARD || template[p] === shapes[p])) p++;
  // Try each wildcard at or before the first mismatch as the one the gap fills.
  for (let skip = p; skip >= 0; skip--) {
    if (template[skip] !== WILDCARD || gaps[skip] === "") continue;
    let ok = true;
    for (let i = skip; i < shapes.length && ok; i++) ok = template[i + 1] === WILDCARD || template[i + 1] === shapes[i];
    if (ok) return true;
  }
  return false;
}

export class PatternMiner {
  readonly options: MinerOptions;
  private nextSeq = 0;
  /** By id, least recently seen first. */
  private readonly clusters = new Map<string, Cluster>();
  private readonly byKey = new Map<string, Cluster>();
  /** Templates with variables found by siblings, by slot count: the only ones a key lookup can miss. */
  private readonly generalised = new Map<number, Set<Cluster>>();
  /** Sibling key → (value at the position → template). */
  private readonly siblings = new Map<string, Map<string, Cluster>>();
  /** Templates by their hard slots, for lines that differ from one in a single variable. */
  private readonly byHardKey = new Map<string, Cluster[]>();
  /** Merged id → the template it was merged into. */
  private readonly aliasOf = new Map<string, Cluster>();
  /** Ids created or reshaped, and ids merged away or forgotten, since the last takeChanges. */
  private readonly changed = new Set<string>();
  private readonly removed = new Set<string>();

  constructor(options: Partial<MinerOptions> = {}) {
    this.options = { ...DEFAULT_MINER_OPTIONS, ...options };
    if (!(this.options.maxTemplates >= 1) || !(this.options.distinctValuesForVariable >= 2))
      throw new RangeError("maxTemplates must be ≥ 1 and distinctValuesForVariable ≥ 2");
  }

  get size(): number {
    return this.clusters.size;
  }

  add(content: string): MinedPattern {
    const line = parseLine(content);
    const key = line.shapes.join(KEY_SEPARATOR);
    let cluster = this.lookup(key, line);
    let isNew = false;
    if (cluster === null) {
      const created = this.create(key, line);
      cluster = this.live(created);
      isNew = cluster === created;
    }
    describeAlso(cluster, line);
    if (cluster.rendered === null) this.changed.add(cluster.id);
    cluster.count++;
    this.touch(cluster);
    return { id: cluster.id, template: render(cluster), isNew };
  }

  /** The id a template is known by now (ids of merged templates lead to the survivor). */
  resolve(id: string): string {
    return this.aliasOf.get(id)?.id ?? id;
  }

  /** The current template of an id, or null when unknown or forgotten. */
  template(id: string): string | null {
    const cluster = this.clusters.get(this.resolve(id));
    return cluster === undefined ? null : render(cluster);
  }

  snapshot(): MinerSnapshot {
    return {
      version: 1,
      options: { ...this.options },
      nextSeq: this.nextSeq,
      templates: [...this.clusters.values()].map(stateOf),
    };
  }

  /** What to persist since the last call: templates created or reshaped, and ids no longer kept. */
  takeChanges(): { changed: TemplateState[]; removed: string[] } {
    const changed = [...this.changed].flatMap((id) => {
      const cluster = this.clusters.get(id);
      return cluster === undefined ? [] : [stateOf(cluster)];
    });
    const removed = [...this.removed].filter((id) => !this.clusters.has(id));
    this.changed.clear();
    this.removed.clear();
    return { changed, removed };
  }

  static restore(snapshot: MinerSnapshot): PatternMiner {
    const miner = new PatternMiner(snapshot.options);
    miner.nextSeq = snapshot.nextSeq;
    for (const state of snapshot.templates)
      miner.insert({
        ...state,
        shapes: [...state.shapes],
        slots: [...state.slots],
        gaps: [...state.gaps],
        keys: [...state.keys],
        aliases: [...state.aliases],
      });
    return miner;
  }

  private live(cluster: Cluster): Cluster {
    let current = cluster;
    while (current.mergedInto !== null) current = current.mergedInto;
    return current;
  }

  private lookup(key: string, line: ParsedLine): Cluster | null {
    const known = this.byKey.get(key);
    if (known !== undefined) return this.live(known);
    const found = this.findGeneralised(line) ?? this.findWithOneVariableApart(line);
    if (
      found !== null &&
      !this.generalised.get(found.shapes.length)?.has(found) &&
      found.keys.length < MAX_KEYS_PER_TEMPLATE
    ) {
      found.keys.push(key);
      this.byKey.set(key, found);
    }
    return found;
  }

  /** The most specific (then oldest) template with variables that `line` fits. */
  private findGeneralised(line: ParsedLine): Cluster | null {
    const { shapes } = line;
    let best: Cluster | null = null;
    const better = (candidate: Cluster): boolean =>
      best === null ||
      candidate.wildcards < best.wildcards ||
      (candidate.wildcards === best.wildcards && candidate.seq < best.seq);
    for (const candidate of this.generalised.get(shapes.length) ?? []) {
      if (better(candidate) && candidate.shapes.every((shape, i) => shape === WILDCARD || shape === shapes[i]))
        best = candidate;
    }
    if (best !== null) return best;
    // A variable slot may be filled by a gap instead: `invalid user admin from` and `invalid user 0101 from`.
    for (const candidate of this.generalised.get(shapes.length + 1) ?? []) {
      if (better(candidate) && fillsWildcardWithGap(candidate.shapes, line)) best = candidate;
    }
    return best;
  }

  /** The oldest template with the same words that differs from `line` in one variable. */
  private findWithOneVariableApart(line: ParsedLine): Cluster | null {
    const hardKey = hardKeyOf(line.shapes, MIN_HARD_SLOTS);
    let best: Cluster | null = null;
    for (const candidate of hardKey === null ? [] : (this.byHardKey.get(hardKey) ?? [])) {
      if ((best === null || candidate.seq < best.seq) && differInOneVariable(candidate, line)) best = candidate;
    }
    return best;
  }

  private create(key: string, line: ParsedLine): Cluster {
    const cluster = this.insert({
      id: templateId(key),
      seq: this.nextSeq++,
      shapes: line.shapes,
      slots: [...line.slots],
      gaps: [...line.gaps],
      count: 0,
      keys: [key],
      aliases: [],
    });
    this.changed.add(cluster.id);
    this.evictBeyondCapacity();
    return cluster;
  }

  /** Adds a template to every index and lets it meet its siblings. */
  private insert(state: TemplateState): Cluster {
    const cluster: Cluster = {
      ...state,
      wildcards: state.shapes.filter((s) => s === WILDCARD).length,
      siblingKeys: [],
      rendered: null,
      mergedInto: null,
      evicted: false,
    };
    this.clusters.set(cluster.id, cluster);
    for (const key of cluster.keys) this.byKey.set(key, cluster);
    for (const alias of cluster.aliases) this.aliasOf.set(alias, cluster);
    if (cluster.wildcards > 0) this.indexGeneralised(cluster);
    else this.registerSiblings(cluster);
    this.indexHardKey(cluster);
    return cluster;
  }

  private indexHardKey(cluster: Cluster): void {
    const hardKey = hardKeyOf(cluster.shapes, MIN_HARD_SLOTS);
    if (hardKey === null) return;
    const sameWords = this.byHardKey.get(hardKey) ?? [];
    sameWords.push(cluster);
    this.byHardKey.set(hardKey, sameWords);
  }

  private unindexHardKey(cluster: Cluster): void {
    const hardKey = hardKeyOf(cluster.shapes, MIN_HARD_SLOTS);
    const sameWords = hardKey === null ? undefined : this.byHardKey.get(hardKey);
    if (sameWords === undefined) return;
    const rest = sameWords.filter((other) => other !== cluster);
    if (rest.length > 0) this.byHardKey.set(hardKey as string, rest);
    else this.byHardKey.delete(hardKey as string);
  }

  private indexGeneralised(cluster: Cluster): void {
    const sameLength = this.generalised.get(cluster.shapes.length) ?? new Set<Cluster>();
    sameLength.add(cluster);
    this.generalised.set(cluster.shapes.length, sameLength);
  }

  private registerSiblings(cluster: Cluster): void {
    const needed = distinctValuesNeeded(cluster.shapes.length, this.options.distinctValuesForVariable);
    if (needed === Infinity) return;
    const keys = siblingKeys(cluster.shapes);
    for (const [position, siblingKey] of keys.entries()) {
      const group = this.siblings.get(siblingKey) ?? new Map<string, Cluster>();
      group.set(cluster.shapes[position] as string, cluster);
      this.siblings.set(siblingKey, group);
      cluster.siblingKeys.push(siblingKey);
    }
    for (const [position, siblingKey] of keys.entries()) {
      const group = this.siblings.get(siblingKey) as Map<string, Cluster>;
      if (group.size >= needed) return this.mergeSiblings(group, position);
    }
  }

  private unregisterSiblings(cluster: Cluster): void {
    for (const [position, siblingKey] of cluster.siblingKeys.entries()) {
      const group = this.siblings.get(siblingKey);
      const value = cluster.shapes[position] as string;
      if (group?.get(value) === cluster) group.delete(value);
      if (group?.size === 0) this.siblings.delete(siblingKey);
    }
    cluster.siblingKeys = [];
  }

  /** Templates that differ only at `position`: one template with a variable there, under the oldest id. */
  private mergeSiblings(group: Map<string, Cluster>, position: number): void {
    const members = [...group.values()].sort((a, b) => a.seq - b.seq);
    const survivor = members[0] as Cluster;
    for (const member of members) this.unregisterSiblings(member);
    this.unindexHardKey(survivor);
    survivor.shapes = survivor.shapes.map((shape, i) => (i === position ? WILDCARD : shape));
    this.indexHardKey(survivor);
    survivor.slots[position] = WILDCARD;
    survivor.wildcards++;
    survivor.rendered = null;
    this.changed.add(survivor.id);
    for (const member of members.slice(1)) this.absorb(survivor, member);
    // A template seen earlier with a gap where the new variable is joins too.
    const withGap = this.byKey.get(survivor.shapes.filter((_, i) => i !== position).join(KEY_SEPARATOR));
    if (withGap !== undefined && withGap.gaps[position] !== "") {
      const member = this.live(withGap);
      if (member !== survivor) {
        this.unregisterSiblings(member);
        this.generalised.get(member.shapes.length)?.delete(member);
        this.unindexHardKey(member);
        survivor.count += member.count;
        this.takeOver(survivor, member);
      }
    }
    this.indexGeneralised(survivor);
  }

  private absorb(survivor: Cluster, member: Cluster): void {
    describeAlso(survivor, member);
    this.unindexHardKey(member);
    survivor.count += member.count;
    this.takeOver(survivor, member);
  }

  /** `member`'s keys and ids lead to `survivor` from now on. */
  private takeOver(survivor: Cluster, member: Cluster): void {
    survivor.keys.push(...member.keys);
    for (const key of member.keys) this.byKey.set(key, survivor);
    for (const alias of [member.id, ...member.aliases]) {
      survivor.aliases.push(alias);
      this.aliasOf.set(alias, survivor);
    }
    member.mergedInto = survivor;
    this.clusters.delete(member.id);
    this.removed.add(member.id);
  }

  private touch(cluster: Cluster): void {
    this.clusters.delete(cluster.id);
    this.clusters.set(cluster.id, cluster);
  }

  private evictBeyondCapacity(): void {
    while (this.clusters.size > this.options.maxTemplates) {
      const oldest = this.clusters.values().next().value as Cluster;
      this.clusters.delete(oldest.id);
      this.removed.add(oldest.id);
      oldest.evicted = true;
      for (const key of oldest.keys) if (this.byKey.get(key) === oldest) this.byKey.delete(key);
      this.generalised.get(oldest.shapes.length)?.delete(oldest);
      this.unregisterSiblings(oldest);
      this.unindexHardKey(oldest);
      for (const alias of oldest.aliases) if (this.aliasOf.get(alias) === oldest) this.aliasOf.delete(alias);
    }
  }
}
