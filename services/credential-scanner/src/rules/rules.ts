/**
 * Secret-detection rules: one named pattern per documented provider key format, plus a generic
 * high-entropy rule. A rule returns the secret's span so it can be fingerprinted and redacted.
 *
 * The text is attacker-chosen (any public repository), so every pattern runs in linear time: each
 * repetition is bounded, and where `\b` would let every position of a long run start a match that
 * rescans the run (JWT here, the name in the entropy rule), the match starts only where the run
 * starts (a lookbehind). tests/security/redos.test.ts checks every pattern with recheck.
 */
export interface SecretRule {
  id: string;
  description: string;
  /** Must have the global flag; group 1 (or the whole match) is the secret. */
  pattern: RegExp;
}

export const PROVIDER_RULES: SecretRule[] = [
  { id: "aws-access-key-id", description: "AWS access key ID", pattern: /\b((?:AKIA|ASIA)[0-9A-Z]{16})\b/g },
  {
    id: "aws-secret-access-key",
    description: "AWS secret access key",
    pattern: /aws_?secret_?access_?key["']?\s{0,16}[:=]\s{0,16}["']?([A-Za-z0-9/+]{40})\b/gi,
  },
  { id: "gcp-api-key", description: "Google Cloud API key", pattern: /\b(AIza[0-9A-Za-z_-]{35})(?![0-9A-Za-z_-])/g },
  // A PEM key is about 1.7 KB; 8 KB leaves room for 4096-bit keys and escaped newlines.
  {
    id: "gcp-service-account-key",
    description: "GCP service-account private key",
    pattern: /"private_key"\s{0,16}:\s{0,16}"(-----BEGIN PRIVATE KEY-----[^"]{1,8192})"/g,
  },
  { id: "azure-storage-key", description: "Azure storage account key", pattern: /AccountKey=([A-Za-z0-9+/]{86}==)/g },
  {
    id: "stripe-live-key",
    description: "Stripe live secret or restricted key",
    pattern: /\b((?:sk|rk)_live_[0-9a-zA-Z]{24,99})\b/g,
  },
  { id: "slack-token", description: "Slack token", pattern: /\b(xox[bpars]-[0-9A-Za-z-]{10,255})\b/g },
  {
    id: "slack-webhook",
    description: "Slack incoming webhook",
    pattern: /(https:\/\/hooks\.slack\.com\/services\/T[0-9A-Z]{1,32}\/B[0-9A-Z]{1,32}\/[0-9A-Za-z]{24})/g,
  },
  {
    id: "github-token",
    description: "GitHub token",
    pattern: /\b((?:ghp|gho|ghu|ghs|ghr)_[0-9A-Za-z]{36}|github_pat_[0-9A-Za-z_]{82})\b/g,
  },
  {
    id: "private-key",
    description: "PEM private key",
    pattern: /(-----BEGIN (?:RSA |EC |OPENSSH |DSA |ENCRYPTED )?PRIVATE KEY-----)/g,
  },
  // `\b` would let every `eyJ` inside `eyJ-eyJ-…` start a match that rescans the run (quadratic).
  {
    id: "jwt",
    description: "JSON Web Token",
    pattern:
      /(?<![A-Za-z0-9_-])(eyJ[A-Za-z0-9_-]{10,2048}\.eyJ[A-Za-z0-9_-]{10,8192}\.[A-Za-z0-9_-]{20,1024})(?![A-Za-z0-9_-])/g,
  },
  {
    id: "database-url",
    description: "Database URL with a password",
    pattern:
      /\b((?:postgres(?:ql)?|mysql|mongodb(?:\+srv)?|redis|amqp):\/\/[^:\s/"']{1,256}:([^@\s/"']{3,256})@[^\s"']{1,2048})/g,
  },
];
