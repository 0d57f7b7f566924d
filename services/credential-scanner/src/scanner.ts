/**
 * One scan run: search GitHub for each query, fetch and scan the matched files, and publish one
 * alert per file with findings not seen in an earlier run to `high-priority-alerts`: the first
 * finding's place and redacted preview, and counts by rule. Anyone can publish a file full of
 * format-valid fake keys, so alerts per repository and per run are capped; what a cap holds back is
 * not remembered, so a later run reports it.
 */
import { createHash } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { type Bus, type HighPriorityAlert, type Logger } from "@soc/shared";
import type { CodeMatch, GitHubClient } from "./github.ts";
import { scanText, type Allowlist, type Finding, type ScanLimit, type ScanLimits, type ScanResult } from "./scan.ts";

/** Fingerprints already reported, kept across runs. */
export interface FindingStore {
  has(fingerprint: string): Promise<boolean>;
  add(fingerprints: string[]): Promise<void>;
}

export function fileFindingStore(path: string): FindingStore {
  // Read once, not once per finding: the file grows with every report.
  let known: Promise<Set<string>> | undefined;
  const load = (): Promise<Set<string>> =>
    (known ??= readFile(path, "utf8")
      .catch(() => "[]")
      .then((text) => new Set(JSON.parse(text) as string[])));
  return {
    has: async (fingerprint) => (await load()).has(fingerprint),
    async add(fingerprints) {
      const all = await load();
      for (const fingerprint of fingerprints) all.add(fingerprint);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, JSON.stringify([...all]));
    },
  };
}

export interface AlertLimits {
  /** Alerts per run, so a flood of files cannot bury the SOC's other alerts. */
  maxAlerts: number;
  /** Alerts per repository per run, so one repository cannot take every slot. */
  maxAlertsPerRepository: number;
}

export const DEFAULT_ALERT_LIMITS: AlertLimits = { maxAlerts: 50, maxAlertsPerRepository: 5 };

export interface ScanSummary {
  files: number;
  /** Findings reported (and remembered) by this run's alerts. */
  newFindings: number;
  alerts: number;
  /** Files longer than the size cap: only their beginning was scanned. */
  truncatedFiles: number;
  /** Files whose scan stopped at the findings cap or the time budget. */
  cappedFiles: number;
  /** Files with new findings left for a later run by the alert caps. */
  heldBackFiles: number;
  /** Files that could not be fetched; the run goes on without them. */
  failedFiles: number;
}

/** "aws-access-key-id ×12, jwt ×1", most frequent first (details values are flat; the alerter shows it as is). */
function countsByRule(findings: Finding[]): string {
  const counts = new Map<string, number>();
  for (const finding of findings) counts.set(finding.rule, (counts.get(finding.rule) ?? 0) + 1);
  return [...counts]
    .sort(([a, x], [b, y]) => y - x || a.localeCompare(b))
    .map(([rule, count]) => `${rule} ×${count}`)
    .join(", ");
}

/** The alert for one file's new findings; it carries redacted previews only, never a secret. */
export function fileAlert(
  match: CodeMatch,
  findings: [Finding, ...Finding[]],
  limitsHit: readonly ScanLimit[],
  detectedAtMs: number,
): HighPriorityAlert {
  const [first] = findings;
  const where = `${match.repository}/${match.path}`;
  const byRule = countsByRule(findings);
  const what = findings.length === 1 ? `Possible ${first.rule}` : `${findings.length} possible credentials (${byRule})`;
  return {
    schema_version: 1,
    alert_id: `leak-${createHash("sha256")
      .update([match.repository, match.path, ...findings.map((f) => f.fingerprint)].join("\0"))
      .digest("hex")
      .slice(0, 24)}`,
    type: "credential_leak",
    severity: "critical",
    summary: `${what} in public code: ${where} line ${first.line}${limitsHit.length > 0 ? ` (scan stopped early: ${limitsHit.join(", ")})` : ""}.`,
    detected_at: detectedAtMs / 1000,
    source_ip: null,
    count: findings.length,
    window_seconds: null,
    first_seen: null,
    last_seen: null,
    log_id: null,
    details: {
      repository: match.repository,
      file: match.path,
      line: first.line,
      rule: first.rule,
      url: `${match.htmlUrl}#L${first.line}`,
      redacted: first.redacted,
      findings: findings.length,
      // Only for several findings: with one, `rule` says it all (and the alerter prefers `rules`).
      rules: findings.length > 1 ? byRule : null,
      capped: limitsHit.length > 0,
      capped_by: limitsHit.length > 0 ? limitsHit.join(",") : null,
    },
  };
}

interface RunOptions {
  github: GitHubClient;
  queries: string[];
  bus: Bus;
  /** The high-priority alerts topic (TOPIC_HIGH_PRIORITY_ALERTS). */
  topic: string;
  findings: FindingStore;
  logger: Logger;
  allowlist?: Allowlist;
  scanLimits?: ScanLimits;
  alertLimits?: AlertLimits;
  now?: () => number;
}

/** Fetches and scans one file; null when it could not be fetched (logged, the run goes on). */
async function scanMatch(options: RunOptions, match: CodeMatch): Promise<ScanResult | null> {
  try {
    const file = await options.github.fileText(match);
    const result = scanText(match.path, file.text, { allowlist: options.allowlist, limits: options.scanLimits });
    return file.truncated
      ? { findings: result.findings, limitsHit: ["size", ...result.limitsHit.filter((limit) => limit !== "size")] }
      : result;
  } catch (error) {
    options.logger.warn({ err: error, repository: match.repository, path: match.path }, "file skipped");
    return null;
  }
}

type FileCounts = Pick<ScanSummary, "truncatedFiles" | "cappedFiles" | "heldBackFiles" | "failedFiles">;

function countLimitsHit(counts: FileCounts, limitsHit: ScanLimit[]): void {
  if (limitsHit.includes("size")) counts.truncatedFiles++;
  if (limitsHit.some((limit) => limit !== "size")) counts.cappedFiles++;
}

/** Findings neither reported earlier in this run nor remembered from an earlier one. */
async function freshFindings(findings: Finding[], reported: Set<string>, remembered: FindingStore): Promise<Finding[]> {
  const fresh: Finding[] = [];
  for (const finding of findings)
    if (!reported.has(finding.fingerprint) && !(await remembered.has(finding.fingerprint))) fresh.push(finding);
  return fresh;
}

export async function runScan(options: RunOptions): Promise<ScanSummary> {
  const now = options.now ?? Date.now;
  const alertLimits = options.alertLimits ?? DEFAULT_ALERT_LIMITS;
  const counts: FileCounts = { truncatedFiles: 0, cappedFiles: 0, heldBackFiles: 0, failedFiles: 0 };
  const seenFiles = new Set<string>();
  const reported = new Set<string>();
  const alertsPerRepository = new Map<string, number>();
  const alerts: HighPriorityAlert[] = [];
  for (const query of options.queries) {
    for (const match of await options.github.searchCode(query)) {
      const key = `${match.repository}/${match.path}`;
      if (seenFiles.has(key)) continue;
      seenFiles.add(key);
      const result = await scanMatch(options, match);
      if (result === null) {
        counts.failedFiles++;
        continue;
      }
      countLimitsHit(counts, result.limitsHit);
      const fresh = await freshFindings(result.findings, reported, options.findings);
      const [first, ...rest] = fresh;
      if (first === undefined) continue;
      const repositoryAlerts = alertsPerRepository.get(match.repository) ?? 0;
      if (alerts.length >= alertLimits.maxAlerts || repositoryAlerts >= alertLimits.maxAlertsPerRepository) {
        counts.heldBackFiles++;
        continue;
      }
      alertsPerRepository.set(match.repository, repositoryAlerts + 1);
      for (const finding of fresh) reported.add(finding.fingerprint);
      alerts.push(fileAlert(match, [first, ...rest], result.limitsHit, now()));
    }
  }
  if (alerts.length > 0) {
    // Published first, remembered after: a crash in between reports again rather than never.
    await options.bus.publish(
      options.topic,
      alerts.map((alert) => ({ key: String(alert.details.repository), value: JSON.stringify(alert) })),
    );
    await options.findings.add([...reported]);
  }
  const summary: ScanSummary = { files: seenFiles.size, newFindings: reported.size, alerts: alerts.length, ...counts };
  if (counts.heldBackFiles > 0)
    options.logger.warn(
      { heldBackFiles: counts.heldBackFiles, ...alertLimits },
      "alert caps reached: a later run reports the held-back files",
    );
  options.logger.info(summary, "credential scan finished");
  return summary;
}
