/**
 * Scans a file's text: provider rules, then the entropy rule for what they did not catch.
 * Findings carry a fingerprint (rule + secret hash) and only a redacted preview of the secret.
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

const lineOf = (text: string, index: number): number => text.slice(0, index).split("\n").length;
const fingerprintOf = (rule: string, secret: string): string => createHash("sha256").update(`${rule}\0${secret}`).digest("hex");

export function scanText(path: string, text: string, allowlist: Allowlist = DEFAULT_ALLOWLIST): Finding[] {
  if (allowlist.paths.some((pattern) => pattern.test(path))) return [];
  const findings: Finding[] = [];
  const covered: [number, number][] = [];
  const add = (rule: string, secret: string, index: number): void => {
    if (allowlist.secrets.some((pattern) => pattern.test(secret))) return;
    const fingerprint = fingerprintOf(rule, secret);
    if (allowlist.fingerprints.has(fingerprint) || findings.some((f) => f.fingerprint === fingerprint)) return;
    covered.push([index, index + secret.length]);
    findings.push({ rule, line: lineOf(text, index), fingerprint, redacted: redact(secret) });
  };
  for (const rule of PROVIDER_RULES) {
    for (const match of text.matchAll(rule.pattern)) {
      const secret = match[1] ?? match[0];
      add(rule.id, secret, (match.index ?? 0) + match[0].indexOf(secret));
    }
  }
  for (const candidate of findHighEntropySecrets(text)) {
    const overlaps = covered.some(([start, end]) => candidate.index < end && candidate.index + candidate.value.length > start);
    if (!overlaps) add("generic-high-entropy", candidate.value, candidate.index);
  }
  return findings;
}
