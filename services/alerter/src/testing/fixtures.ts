/** A realistic high-priority alert for tests; override what a test is about. */
import type { HighPriorityAlert } from "@soc/shared";

export const bruteForceAlert = (overrides: Partial<HighPriorityAlert> = {}): HighPriorityAlert => ({
  schema_version: 1,
  alert_id: "logs-0-42",
  type: "brute_force",
  severity: "high",
  summary: "Brute-force attempt detected from 198.51.100.10 (5 attempts).",
  detected_at: 1_764_000_300,
  source_ip: "198.51.100.10",
  count: 5,
  window_seconds: 300,
  first_seen: 1_764_000_000,
  last_seen: 1_764_000_240,
  log_id: "logs-0-42",
  details: { pattern: "sshd-failed-auth" },
  ...overrides,
});
