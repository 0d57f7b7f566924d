/**
 * One scan run: search GitHub for each query, fetch and scan the matched files, and publish each
 * finding not seen in an earlier run to `high-priority-alerts`, with the secret redacted.
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { TOPICS, type Bus, type HighPriorityAlert, type Logger } from "@soc/shared";
import type { GitHubClient } from "./github.ts";
import { DEFAULT_ALLOWLIST, scanText, type Allowlist } from "./scan.ts";

/** Fingerprints already reported, kept across runs. */
export interface FindingStore {
  has(fingerprint: string): Promise<boolean>;
  add(fingerprints: string[]): Promise<void>;
}

export function fileFindingStore(path: string): FindingStore {
  const load = async (): Promise<Set<string>> => new Set(JSON.parse(await readFile(path, "utf8").catch(() => "[]")) as string[]);
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

export async function runScan(options: { github: GitHubClient; queries: string[]; bus: Bus; findings: FindingStore; logger: Logger; allowlist?: Allowlist; now?: () => number }): Promise<{ files: number; newFindings: number }> {
  const now = options.now ?? Date.now;
  const seenFiles = new Set<string>();
  const alerts = new Map<string, HighPriorityAlert>();
  for (const query of options.queries) {
    for (const match of await options.github.searchCode(query)) {
      const key = `${match.repository}/${match.path}`;
      if (seenFiles.has(key)) continue;
      seenFiles.add(key);
      const text = await options.github.fileText(match);
      for (const finding of scanText(match.path, text, options.allowlist ?? DEFAULT_ALLOWLIST)) {
        if (alerts.has(finding.fingerprint) || (await options.findings.has(finding.fingerprint))) continue;
        alerts.set(finding.fingerprint, {
          schema_version: 1,
          alert_id: `leak-${finding.fingerprint.slice(0, 24)}`,
          type: "credential_leak",
          severity: "critical",
          summary: `Possible ${finding.rule} in public code: ${match.repository}/${match.path} line ${finding.line}.`,
          detected_at: now() / 1000,
          source_ip: null,
          count: 1,
          window_seconds: null,
          first_seen: null,
          last_seen: null,
          log_id: null,
          details: { repository: match.repository, file: match.path, line: finding.line, rule: finding.rule, url: `${match.htmlUrl}#L${finding.line}`, redacted: finding.redacted },
        });
      }
    }
  }
  if (alerts.size > 0) {
    // Published first, remembered after: a crash in between reports again rather than never.
    await options.bus.publish(TOPICS.highPriorityAlerts, [...alerts.values()].map((alert) => ({ key: String(alert.details.repository), value: JSON.stringify(alert) })));
    await options.findings.add([...alerts.keys()]);
  }
  options.logger.info({ files: seenFiles.size, newFindings: alerts.size }, "credential scan finished");
  return { files: seenFiles.size, newFindings: alerts.size };
}
