/**
 * Recognises failed logins in real log formats. For sshd it counts what fail2ban's stock sshd
 * filter counts (one failure per `Failed …` or `Invalid user …` line), and not PAM's duplicate
 * `pam_unix(sshd:auth): authentication failure` line, so the brute-force rule agrees with fail2ban.
 */

export interface FailurePattern {
  name: string;
  pattern: RegExp;
}

/** Lines that look like failures but only repeat one counted elsewhere. */
const NOT_COUNTED: RegExp[] = [
  /pam_\w+\(sshd:auth\):\s+authentication failure/i, // sshd logs its own "Failed password" line
  /\bFailed publickey for\b/i, // an offered key that did not fit, then usually another method
  /\bPAM \d+ more authentication failures?;/i, // sshd's summary of failures already logged one by one
];

export const FAILURE_PATTERNS: FailurePattern[] = [
  // "(?:^|:\s)" keeps syslog's "message repeated 5 times: [ Failed …" summaries out, as fail2ban does.
  { name: "sshd-failed-auth", pattern: /(?:^|:\s)Failed \S+ for (?:invalid user )?.*? from \S+/i },
  { name: "sshd-invalid-user", pattern: /(?:^|:\s)(?:Invalid|Illegal) user .*? from \S+/i },
  { name: "sshd-user-not-allowed", pattern: /(?:^|:\s)User \S+ from \S+ not allowed because/i },
  { name: "sshd-auth-fail-disconnect", pattern: /Received disconnect from \S+(?: port \d+)?:\s*3: .*: Auth fail/i },
  { name: "sshd-max-attempts", pattern: /maximum authentication attempts exceeded for/i },
  { name: "sshd-too-many-failures", pattern: /Disconnecting: Too many authentication failures/i },
  { name: "sshd-root-refused", pattern: /ROOT LOGIN REFUSED FROM/i },
  { name: "pam-auth-failure", pattern: /pam_\w+\([^:)]*:auth\):\s+authentication failure/i },
  { name: "postgresql-password", pattern: /password authentication failed for user/i },
  { name: "nginx-basic-auth", pattern: /user "[^"]*": password mismatch|user "[^"]*" was not found in "|no user\/password was provided for basic authentication/i },
  { name: "apache-auth", pattern: /AH0161[78]: user .*?(?:authentication failure|not found)/i },
  { name: "http-401", pattern: /"(?:GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS) [^"]*" 401 /i },
  { name: "generic-failed-login", pattern: /\bfailed login\b|\blogin failed\b|\bauthentication failure\b|\bauthentication failed\b/i },
];

// Cheap screen: most lines contain none of these words and skip the table.
const SCREEN = /fail|invalid|illegal|not allowed|exceeded|refused|mismatch|not found|no user|" 401 /i;

/** Name of the failure pattern the line matches, or null when it is no failed login. */
export function recogniseFailedLogin(message: string): string | null {
  if (!SCREEN.test(message)) return null;
  if (NOT_COUNTED.some((pattern) => pattern.test(message))) return null;
  for (const { name, pattern } of FAILURE_PATTERNS) if (pattern.test(message)) return name;
  return null;
}
