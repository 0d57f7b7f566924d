/**
 * Recognises failed logins in real log formats. For sshd it counts what fail2ban's stock sshd
 * filter counts (one failure per `Failed …` or `Invalid user …` line), and not PAM's duplicate
 * `pam_unix(sshd:auth): authentication failure` line, so the brute-force rule agrees with fail2ban.
 */

export interface FailurePattern {
  name: string;
  /** Where the failure message starts; no unbounded repetition, so a match costs the same on any line. */
  head: RegExp;
  /** What must follow the head somewhere in the rest of the line (a plain search, linear). */
  then?: RegExp;
}

/** Lines that look like failures but only repeat one counted elsewhere. */
const NOT_COUNTED: RegExp[] = [
  /pam_\w{1,32}\(sshd:auth\):\s{1,4}authentication failure/i, // sshd logs its own "Failed password" line
  /\bFailed publickey for\b/i, // an offered key that did not fit, then usually another method
  /\bPAM \d{1,4} more authentication failures?;/i, // sshd's summary of failures already logged one by one
];

const FROM_ADDRESS = / from \S/i;

export const FAILURE_PATTERNS: FailurePattern[] = [
  // "(?:^|:\s)" keeps syslog's "message repeated 5 times: [ Failed …" summaries out, as fail2ban does.
  { name: "sshd-failed-auth", head: /(?:^|:\s)Failed \S{1,64} for /i, then: FROM_ADDRESS },
  { name: "sshd-invalid-user", head: /(?:^|:\s)(?:Invalid|Illegal) user /i, then: FROM_ADDRESS },
  { name: "sshd-user-not-allowed", head: /(?:^|:\s)User \S{1,255} from \S{1,255} not allowed because/i },
  {
    name: "sshd-auth-fail-disconnect",
    head: /Received disconnect from \S{1,255}(?: port \d{1,5})?:\s{0,4}3: /i,
    then: /: Auth fail/i,
  },
  { name: "sshd-max-attempts", head: /maximum authentication attempts exceeded for/i },
  { name: "sshd-too-many-failures", head: /Disconnecting: Too many authentication failures/i },
  { name: "sshd-root-refused", head: /ROOT LOGIN REFUSED FROM/i },
  { name: "pam-auth-failure", head: /pam_\w{1,32}\([\w-]{1,32}:auth\):\s{1,4}authentication failure/i },
  { name: "postgresql-password", head: /password authentication failed for user/i },
  {
    name: "nginx-basic-auth",
    head: /user "[^"]{0,512}": password mismatch|user "[^"]{0,512}" was not found in "|no user\/password was provided for basic authentication/i,
  },
  { name: "apache-auth", head: /AH0161[78]: user /i, then: /authentication failure|not found/i },
  { name: "http-401", head: /"(?:GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS) [^"]{0,8192}" 401 /i },
  {
    name: "generic-failed-login",
    head: /\bfailed login\b|\blogin failed\b|\bauthentication failure\b|\bauthentication failed\b/i,
  },
];

// Cheap screen: most lines contain none of these words and skip the table.
const SCREEN = /fail|invalid|illegal|not allowed|exceeded|refused|mismatch|not found|no user|" 401 /i;

function matches({ head, then }: FailurePattern, message: string): boolean {
  const found = head.exec(message);
  if (found === null) return false;
  return then === undefined || then.test(message.slice(found.index + found[0].length));
}

/** Name of the failure pattern the line matches, or null when it is no failed login. */
export function recogniseFailedLogin(message: string): string | null {
  if (!SCREEN.test(message)) return null;
  if (NOT_COUNTED.some((pattern) => pattern.test(message))) return null;
  for (const pattern of FAILURE_PATTERNS) if (matches(pattern, message)) return pattern.name;
  return null;
}
