// Public face of the credential scanner.
export { scanText, redact, DEFAULT_ALLOWLIST, type Finding, type Allowlist } from "./scan.ts";
export { createGitHubClient, type GitHubClient, type CodeMatch } from "./github.ts";
export { runScan, fileFindingStore, type FindingStore } from "./scanner.ts";
export { labelledCorpus, score } from "./corpus.ts";
