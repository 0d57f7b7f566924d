/**
 * Scans a file's text: provider rules, then the entropy rule for what they did not catch.
 * Findings carry a fingerprint (rule + secret hash) and only a redacted preview of the secret.
 * The cost per file is bounded: linear-time rules, a size cap, a findings cap and a time budget.
 */
import { createHash } from "node:crypto";
import { findHighEntropySecrets } from "./rules/entropy.ts";
import { PROVIDER_RULES } from "./rules/rules.ts";

export interface Finding {
  rule: string;
  line: number;
  /** sha256 of rule and secret: stable across runs, reveals nothing. */
  fingerprint: string;
  /** First four characters, then asterisks: enough to recognise, not to use. */
  redacted: string;
}

export interface Allowlist {
  paths: RegExp[];
  /** Matched against the secret itself, e.g. documented example keys. */
  secrets: RegExp[];
  fingerprints: Set<string>;
}

export const DEFAULT_ALLOWLIST: Allowlist = {
  paths: [/(^|\/)(test|tests|spec|fixtures?|__mocks__|examples?)\//i, /\.(lock|sum)$/, /(^|\/)package-lock\.json$/],
  // AWS documents AKIAIOSFODNN7EXAMPLE; placeholders like xxxx or your_key_here are not secrets.
  secrets: [/EXAMPLE/i, /^(.)\1{7,}$/, /x{6,}/i, /your[_-]?(api[_-]?)?key/i, /changeme|placeholder|dummy|sample/i],
  fingerprints: new Set(),
};

export function redact(secret: string): string {
  return `${secret.slice(0, 4)}${"*".repeat(Math.min(16, Math.max(4, secret.length - 4)))}`;
}

/** What stopped a scan early: the text was cut at `maxChars`, the findings cap, the time budget. */
export type ScanLimit = "size" | "findings" | "time";

export interface ScanLimits {
  /** Characters scanned; GitHub indexes files up to 384 KB, the rest of a longer text is ignored. */
  maxChars: number;
  /** Distinct findings per file: thousands of format-valid fakes are a flood, not thousands of leaks. */
  maxFindings: number;
  /** Wall-clock budget per file, checked before each candidate (each rule is linear, see rules.ts). */
  budgetMs: number;
}

export const DEFAULT_SCAN_LIMITS: ScanLimits = { maxChars: 384_000, maxFindings: 100, budgetMs: 1_000 };

export interface ScanResult {
  findings: Finding[];
  /** Empty when the whole text was scanned. */
  limitsHit: ScanLimit[];
}

export interface ScanOptions {
  allowlist?: Allowlist;
  limits?: ScanLimits;
  /** Milliseconds, for the time budget. */
  now?: () => number;
}

/** Line of an offset, by binary search over line starts found once: O(n + k log n), not O(n·k). */
function lineIndex(text: string): (index: number) => number {
  let starts: number[] | undefined;
  return (index) => {
    if (starts === undefined) {
      starts = [0];
      for (let nl = text.indexOf("\n"); nl !== -1; nl = text.indexOf("\n", nl + 1)) starts.push(nl + 1);
    }
    let low = 0;
    let high = starts.length;
    while (high - low > 1) {
      const middle = (low + high) >>> 1;
      if ((starts[middle] ?? 0) <= index) low = middle;
      else high = middle;
    }
    return low + 1;
  };
}

const fingerprintOf = (rule: string, secret: string): string =>
  createHash("sha256").update(`${rule}\0${secret}`).digest("hex");

const GENERIC_RULE = "generic-high-entropy";

interface Candidate {
  rule: string;
  secret: string;
  index: number;
}

/** Provider matches first, then entropy candidates; lazily, so a limit stops the scan where it is. */
function* candidates(text: string): Generator<Candidate> {
  for (const rule of PROVIDER_RULES) {
    for (const match of text.matchAll(rule.pattern)) {
      const secret = match[1] ?? match[0];
      yield { rule: rule.id, secret, index: (match.index ?? 0) + match[0].indexOf(secret) };
    }
  }
  for (const candidate of findHighEntropySecrets(text))
    yield { rule: GENERIC_RULE, secret: candidate.value, index: candidate.index };
}

export function scanText(path: string, text: string, options: ScanOptions = {}): ScanResult {
  const allowlist = options.allowlist ?? DEFAULT_ALLOWLIST;
  const limits = options.limits ?? DEFAULT_SCAN_LIMITS;
  const now = options.now ?? (() => performance.now());
  if (allowlist.paths.some((pattern) => pattern.test(path))) return { findings: [], limitsHit: [] };
  const limitsHit: ScanLimit[] = text.length > limits.maxChars ? ["size"] : [];
  const scanned = text.slice(0, limits.maxChars);
  const lineOf = lineIndex(scanned);
  const deadline = now() + limits.budgetMs;
  const findings: Finding[] = [];
  const seen = new Set<string>();
  // Spans of the findings kept (at most maxFindings): the entropy rule skips what a provider rule found.
  const covered: [number, number][] = [];
  const isCovered = (index: number, length: number): boolean =>
    covered.some(([start, end]) => index < end && index + length > start);
  const limitReached = (): ScanLimit | null =>
    findings.length >= limits.maxFindings ? "findings" : now() > deadline ? "time" : null;
  for (const { rule, secret, index } of candidates(scanned)) {
    const stop = limitReached();
    if (stop !== null) {
      limitsHit.push(stop);
      break;
    }
    if (rule === GENERIC_RULE && isCovered(index, secret.length)) continue;
    if (allowlist.secrets.some((pattern) => pattern.test(secret))) continue;
    const fingerprint = fingerprintOf(rule, secret);
    if (allowlist.fingerprints.has(fingerprint) || seen.has(fingerprint)) continue;
    seen.add(fingerprint);
    covered.push([index, index + secret.length]);
    findings.push({ rule, line: lineOf(index), fingerprint, redacted: redact(secret) });
  }
  return { findings, limitsHit };
}
