// Public face of the credential scanner.
export {
  scanText,
  redact,
  DEFAULT_ALLOWLIST,
  DEFAULT_SCAN_LIMITS,
  type Finding,
  type Allowlist,
  type ScanLimit,
  type ScanLimits,
  type ScanResult,
} from "./scan.ts";
export { createGitHubClient, type GitHubClient, type CodeMatch, type FileText } from "./github.ts";
export {
  runScan,
  fileFindingStore,
  DEFAULT_ALERT_LIMITS,
  type FindingStore,
  type AlertLimits,
  type ScanSummary,
} from "./scanner.ts";
export { labelledCorpus, score } from "./corpus.ts";
export { parseScannerEnv, scannerEnvSchema, type ScannerEnv } from "./config.ts";
