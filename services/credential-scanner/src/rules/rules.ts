/**
 * Secret-detection rules: one named pattern per documented provider key format, plus a generic
 * high-entropy rule. A rule returns the secret's span so it can be fingerprinted and redacted.
 */
export interface SecretRule {
  id: string;
  description: string;
  /** Must have the global flag; group 1 (or the whole match) is the secret. */
  pattern: RegExp;
}

export const PROVIDER_RULES: SecretRule[] = [
  { id: "aws-access-key-id", description: "AWS access key ID", pattern: /\b((?:AKIA|ASIA)[0-9A-Z]{16})\b/g },
  { id: "aws-secret-access-key", description: "AWS secret access key", pattern: /aws_?secret_?access_?key["']?\s*[:=]\s*["']?([A-Za-z0-9/+]{40})\b/gi },
  { id: "gcp-api-key", description: "Google Cloud API key", pattern: /\b(AIza[0-9A-Za-z_-]{35})(?![0-9A-Za-z_-])/g },
  { id: "gcp-service-account-key", description: "GCP service-account private key", pattern: /"private_key"\s*:\s*"(-----BEGIN PRIVATE KEY-----[^"]+)"/g },
  { id: "azure-storage-key", description: "Azure storage account key", pattern: /AccountKey=([A-Za-z0-9+/]{86}==)/g },
  { id: "stripe-live-key", description: "Stripe live secret or restricted key", pattern: /\b((?:sk|rk)_live_[0-9a-zA-Z]{24,99})\b/g },
  { id: "slack-token", description: "Slack token", pattern: /\b(xox[bpars]-[0-9A-Za-z-]{10,})\b/g },
  { id: "slack-webhook", description: "Slack incoming webhook", pattern: /(https:\/\/hooks\.slack\.com\/services\/T[0-9A-Z]+\/B[0-9A-Z]+\/[0-9A-Za-z]{24})/g },
  { id: "github-token", description: "GitHub token", pattern: /\b((?:ghp|gho|ghu|ghs|ghr)_[0-9A-Za-z]{36}|github_pat_[0-9A-Za-z_]{82})\b/g },
  { id: "private-key", description: "PEM private key", pattern: /(-----BEGIN (?:RSA |EC |OPENSSH |DSA |ENCRYPTED )?PRIVATE KEY-----)/g },
  { id: "jwt", description: "JSON Web Token", pattern: /\b(eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{20,})\b/g },
  { id: "database-url", description: "Database URL with a password", pattern: /\b((?:postgres(?:ql)?|mysql|mongodb(?:\+srv)?|redis|amqp):\/\/[^:\s/"']+:([^@\s/"']{3,})@[^\s"']+)/g },
];
