/**
 * ReDoS gate: every regular expression in the production sources must be linear by recheck, and
 * every RegExp built at run time must be reviewed below. recheck's `auto` checker uses automata
 * where it can and fuzzing where they blow up (large bounded repeats, lookbehind, backreferences);
 * the automaton checker alone calls the audit's catastrophic scanner patterns "timeout", and fuzzing
 * is what finds them. With the native backend (recheck-linux-x64) the whole check takes about 20 s;
 * the pure-JS fallback is about four times slower.
 */
import { fileURLToPath } from "node:url";
import { checkSync, type Diagnostics } from "recheck";
import { describe, expect, it } from "vitest";
import { DEFAULT_KEYWORDS } from "@soc/worker";
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
    args: '`\\\\b(?:${keywords.map(escape).join("|")})\\\\b`, "i"',
    reason: "ANOMALY_KEYWORDS, each keyword escaped at the source: an alternation of literals between word boundaries, linear in the line",
    sample: { source: `\\b(?:${DEFAULT_KEYWORDS.map(escapeRegExp).join("|")})\\b`, flags: "i" },
  },
];

/** Null when recheck proves the pattern linear; otherwise what it found, attack string included. */
function problemOf(where: string, diagnostics: Diagnostics): string | null {
  const pattern = `/${diagnostics.source}/${diagnostics.flags}`;
  if (diagnostics.status === "safe") return null;
  if (diagnostics.status === "vulnerable") return `${where} ${pattern} is ${diagnostics.complexity.summary}; attack: ${diagnostics.attack.pattern}`;
  return `${where} ${pattern} could not be checked (${diagnostics.error.kind}${"message" in diagnostics.error ? `: ${diagnostics.error.message}` : ""})`;
}

const reviewOf = (site: DynamicRegexSite): Review | undefined => REVIEWED.find((review) => review.file === site.file && review.args === site.args);

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
  it("finds them with the TypeScript parser, in .ts files and Svelte scripts", () => {
    console.log(JSON.stringify({ files: inventory.files, sites: inventory.checkable.length, distinct: patterns.size, dynamic: inventory.dynamic.map((site) => site.where) }));
    expect(inventory.checkable.some((site) => site.where.startsWith("services/credential-scanner/src/rules/rules.ts:"))).toBe(true);
    expect(inventory.checkable.some((site) => site.where.startsWith("dashboard/src/") && site.where.includes(".svelte:"))).toBe(true);
    expect(inventory.checkable.some((site) => site.where.includes(".test.ts:"))).toBe(false);
  });

  it.each([...patterns.values()].map((pattern) => [pattern.where.join(", "), pattern] as const))("%s is linear by recheck", (where, { source, flags }) => {
    const problem = problemOf(where, checkSync(source, flags, RECHECK));
    if (problem !== null) expect.fail(problem);
  }, 60_000);

  it("builds a RegExp at run time only where reviewed, and every review still has its site", () => {
    const unreviewed = inventory.dynamic.filter((site) => reviewOf(site) === undefined).map((site) => `${site.where}: RegExp(${site.args})`);
    expect(unreviewed, "escape or validate the input, or review the site in REVIEWED").toEqual([]);
    const stale = REVIEWED.filter((review) => !inventory.dynamic.some((site) => reviewOf(site) === review)).map((review) => review.file);
    expect(stale).toEqual([]);
  });

  it.each(REVIEWED.map((review) => [review.file, review] as const))("%s builds linear patterns in practice", (file, review) => {
    const problem = problemOf(`${file} (sample)`, checkSync(review.sample.source, review.sample.flags, RECHECK));
    if (problem !== null) expect.fail(problem);
  }, 60_000);
});
