/**
 * ReDoS gate: every regular expression in the production sources must be linear by recheck, and
 * every RegExp built at run time must be reviewed below. recheck's `auto` checker uses automata
 * where it can and fuzzing where they blow up (large bounded repeats, lookbehind, backreferences);
 * the automaton checker alone calls the audit's catastrophic scanner patterns "timeout", and fuzzing
 * is what finds them. With the native backend (recheck-linux-x64) the whole check takes about 20 s;
 * the pure-JS fallback is about four times slower.
 */
import { fileURLToPath } from "node:url";
import { checkSync, type AttackPattern, type Diagnostics } from "recheck";
import { describe, expect, it } from "vitest";
import { DEFAULT_KEYWORDS } from "@soc/worker";
import { MAX_INDEXED_BYTES } from "../../services/credential-scanner/src/github.ts";
import { COMBINED } from "../../services/worker/src/patterns/masks.ts";
import { regexInventory, type DynamicRegexSite } from "./regex-inventory.ts";

const REPOSITORY = fileURLToPath(new URL("../..", import.meta.url));
// recheck gives up after this long and answers "unknown", which fails too: not proven linear.
const RECHECK = { timeout: 30_000 } as const;

interface Review {
  file: string;
  /** The call's arguments as written; a change to them asks for a new review. */
  args: string;
  reason: string;
  /** A pattern this site builds in practice, checked like a literal. */
  sample: { source: string; flags: string };
}

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** RegExps built from configuration, each with why it cannot backtrack. */
const REVIEWED: Review[] = [
  {
    file: "services/worker/src/detection/keywords.ts",
    args: '`\\\\b(?:${all.map(escape).join("|")})\\\\b`, "gi"',
    reason:
      "ANOMALY_KEYWORDS and KEYWORD_RULES' keywords, each escaped at the source: an alternation of literals between word boundaries, linear in the line",
    sample: { source: `\\b(?:${DEFAULT_KEYWORDS.map(escapeRegExp).join("|")})\\b`, flags: "gi" },
  },
  {
    file: "services/worker/src/patterns/masks.ts",
    args: '`${START}${MAY_HOLD_VALUE}(?:${MASKS.map((mask) => `(${mask.pattern})${END}`).join("|")})`, "g"',
    reason:
      "the pattern miner's masks: built once at load from constants in the same file, never from input; the built pattern itself is checked",
    sample: { source: COMBINED.source, flags: COMBINED.flags },
  },
];

/** The longest text a pattern reads: a file the credential scanner fetches (log lines are shorter). */
const LONGEST_INPUT = MAX_INDEXED_BYTES;
/** Linear scans of that much text take milliseconds; a real quadratic takes minutes. */
const SCAN_BUDGET_MS = 2_000;

/**
 * Null when the pattern is linear; otherwise what was found, attack string included. recheck's
 * fuzzer reports "polynomial" for repeats with bounds ({1,32}, {0,64}) too, growth that stops at the
 * bound and leaves the scan linear; which of the two it is, recheck's own attack pumped to the
 * longest input decides. (Its fuzzing is randomised, so without this the verdict on such a pattern
 * varies between runs.)
 */
function linearityProblem(where: string, sample: { source: string; flags: string }): string | null {
  const diagnostics = checkSync(sample.source, sample.flags, RECHECK);
  if (diagnostics.status === "vulnerable" && diagnostics.complexity.type === "polynomial") {
    const ms = msToScan(sample, pumpedTo(diagnostics.attack, LONGEST_INPUT));
    if (ms < SCAN_BUDGET_MS) return null;
    return `${where} /${sample.source}/${sample.flags} took ${Math.round(ms)} ms on ${LONGEST_INPUT} characters of recheck's attack (${diagnostics.complexity.summary}: ${diagnostics.attack.pattern})`;
  }
  return problemOf(where, diagnostics);
}

/** Null when recheck proves the pattern linear; otherwise what it found, attack string included. */
function problemOf(where: string, diagnostics: Diagnostics): string | null {
  const pattern = `/${diagnostics.source}/${diagnostics.flags}`;
  if (diagnostics.status === "safe") return null;
  if (diagnostics.status === "vulnerable")
    return `${where} ${pattern} is ${diagnostics.complexity.summary}; attack: ${diagnostics.attack.pattern}`;
  return `${where} ${pattern} could not be checked (${diagnostics.error.kind}${"message" in diagnostics.error ? `: ${diagnostics.error.message}` : ""})`;
}

/** recheck's attack with its pumps repeated until the string is `length` characters long. */
function pumpedTo(attack: AttackPattern, length: number): string {
  const once = attack.pumps.reduce((text, { prefix, pump }) => text + prefix + pump, "") + attack.suffix;
  const pumps = attack.pumps.map(({ pump }) => pump).join("");
  const times = Math.max(1, Math.floor((length - once.length) / Math.max(1, pumps.length)));
  return (
    attack.pumps.reduce((text, { prefix, pump }) => text + prefix + pump.repeat(times), "") + attack.suffix
  ).slice(0, length);
}

/** Milliseconds to find every match in `text`, as the global-flag callers do. */
function msToScan(sample: { source: string; flags: string }, text: string): number {
  const pattern = new RegExp(sample.source, sample.flags.includes("g") ? sample.flags : `${sample.flags}g`);
  const started = performance.now();
  while (pattern.exec(text) !== null);
  return performance.now() - started;
}

const reviewOf = (site: DynamicRegexSite): Review | undefined =>
  REVIEWED.find((review) => review.file === site.file && review.args === site.args);

const inventory = regexInventory(REPOSITORY);
// One check per distinct pattern; the test names every place it is written.
const patterns = new Map<string, { source: string; flags: string; where: string[] }>();
for (const site of inventory.checkable) {
  const key = `/${site.source}/${site.flags}`;
  const known = patterns.get(key) ?? { source: site.source, flags: site.flags, where: [] };
  known.where.push(site.where);
  patterns.set(key, known);
}

describe("ReDoS: the regular expressions of the production sources", () => {
  it("finds them with the TypeScript parser, reading the .ts files and the Svelte components", () => {
    console.log(
      JSON.stringify({
        files: inventory.files.length,
        sites: inventory.checkable.length,
        distinct: patterns.size,
        dynamic: inventory.dynamic.map((site) => site.where),
      }),
    );
    expect(
      inventory.checkable.some((site) => site.where.startsWith("services/credential-scanner/src/rules/rules.ts:")),
    ).toBe(true);
    expect(
      inventory.files.filter((file) => file.startsWith("dashboard/src/") && file.endsWith(".svelte")).length,
    ).toBeGreaterThan(5);
    expect(inventory.checkable.some((site) => site.where.includes(".test.ts:"))).toBe(false);
  });

  it.each([...patterns.values()].map((pattern) => [pattern.where.join(", "), pattern] as const))(
    "%s is linear by recheck",
    (where, pattern) => {
      const problem = linearityProblem(where, pattern);
      if (problem !== null) expect.fail(problem);
    },
    60_000,
  );

  it("builds a RegExp at run time only where reviewed, and every review still has its site", () => {
    const unreviewed = inventory.dynamic
      .filter((site) => reviewOf(site) === undefined)
      .map((site) => `${site.where}: RegExp(${site.args})`);
    expect(unreviewed, "escape or validate the input, or review the site in REVIEWED").toEqual([]);
    const stale = REVIEWED.filter((review) => !inventory.dynamic.some((site) => reviewOf(site) === review)).map(
      (review) => review.file,
    );
    expect(stale).toEqual([]);
  });

  it.each(REVIEWED.map((review) => [review.file, review] as const))(
    "%s builds linear patterns in practice",
    (file, review) => {
      const problem = linearityProblem(`${file} (sample)`, review.sample);
      if (problem !== null) expect.fail(problem);
    },
    60_000,
  );
});
