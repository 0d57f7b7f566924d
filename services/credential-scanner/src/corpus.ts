/**
 * A labelled corpus built from documented key formats: fake but format-valid secrets in realistic
 * files (true positives), and look-alikes that are not secrets (false-positive bait). Generated from
 * a fixed seed, so measurements repeat and no real-looking secret is committed.
 */
export interface CorpusFile {
  path: string;
  text: string;
  /** Rules that must fire on this file; empty for a file with no secret. */
  expected: string[];
}

function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1_664_525 + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

export function labelledCorpus(seed = 42): CorpusFile[] {
  const next = random(seed);
  const pick = (alphabet: string, length: number): string =>
    Array.from({ length }, () => alphabet[Math.floor(next() * alphabet.length)]).join("");
  const UPPER_DIGITS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  const B64 = `${ALNUM}+/`;
  const HEX = "0123456789abcdef";
  const files: CorpusFile[] = [];
  for (let i = 0; i < 10; i++) {
    files.push(
      {
        path: `deploy/env${i}.sh`,
        text: `export AWS_ACCESS_KEY_ID=AKIA${pick(UPPER_DIGITS, 16)}\nexport AWS_SECRET_ACCESS_KEY=${pick(B64, 40)}\n`,
        expected: ["aws-access-key-id", "aws-secret-access-key"],
      },
      {
        path: `src/maps${i}.js`,
        text: `const map = new Map({ key: "AIza${pick(`${ALNUM}_-`, 35)}" });\n`,
        expected: ["gcp-api-key"],
      },
      {
        path: `config/stripe${i}.rb`,
        text: `Stripe.api_key = "sk_live_${pick(ALNUM, 24)}"\n`,
        expected: ["stripe-live-key"],
      },
      {
        path: `bot/slack${i}.py`,
        text: `client = WebClient(token="xoxb-${pick("0123456789", 12)}-${pick("0123456789", 12)}-${pick(ALNUM, 24)}")\n`,
        expected: ["slack-token"],
      },
      { path: `ci/release${i}.yml`, text: `env:\n  GH_TOKEN: ghp_${pick(ALNUM, 36)}\n`, expected: ["github-token"] },
      {
        path: `settings${i}.py`,
        text: `DATABASE_URL = "postgres://app:${pick(ALNUM, 16)}@db.internal:5432/app"\n`,
        expected: ["database-url"],
      },
      {
        path: `keys/id_rsa${i}`,
        text: `-----BEGIN RSA PRIVATE KEY-----\n${pick(B64, 64)}\n-----END RSA PRIVATE KEY-----\n`,
        expected: ["private-key"],
      },
      {
        path: `app/session${i}.ts`,
        text: `const session = "eyJ${pick(ALNUM, 20)}.eyJ${pick(ALNUM, 40)}.${pick(ALNUM, 43)}";\n`,
        expected: ["jwt"],
      },
      {
        path: `azure/storage${i}.cfg`,
        text: `DefaultEndpointsProtocol=https;AccountName=acme;AccountKey=${pick(B64, 86)}==;EndpointSuffix=core.windows.net\n`,
        expected: ["azure-storage-key"],
      },
      {
        path: `server/config${i}.js`,
        text: `module.exports = { sessionSecret: "${pick(HEX, 48)}" };\n`,
        expected: ["generic-high-entropy"],
      },
      {
        path: `server/jwt${i}.env`,
        text: `JWT_SIGNING_SECRET="${pick(B64, 44)}"\n`,
        expected: ["generic-high-entropy"],
      },
      // Look-alikes that are not secrets.
      {
        path: `docs/aws${i}.md`,
        text: "Set AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE as in the AWS documentation.\n",
        expected: [],
      },
      {
        path: `src/ids${i}.ts`,
        text: `const requestId = "${crypto.randomUUID()}";\nconst commit = "${pick(HEX, 40)}";\n`,
        expected: [],
      },
      {
        path: `README${i}.md`,
        text: `api_key: "your_api_key_here_please_change"\npassword = "changeme-changeme-changeme"\n`,
        expected: [],
      },
      {
        path: `web/checksum${i}.json`,
        text: `{ "sha256": "${pick(HEX, 64)}", "version": "1.2.${i}" }\n`,
        expected: [],
      },
      {
        path: `package-lock.json`,
        text: `"integrity": "sha512-${pick(B64, 86)}==", "secret": "${pick(B64, 40)}"\n`,
        expected: [],
      },
      { path: `tests/fixtures/stripe${i}.json`, text: `{ "key": "sk_live_${pick(ALNUM, 24)}" }\n`, expected: [] },
      {
        path: `src/labels${i}.ts`,
        text: 'const passwordLabel = "Please enter your password here to continue";\n',
        expected: [],
      },
    );
  }
  return files;
}

export interface Score {
  truePositives: number;
  falsePositives: number;
  falseNegatives: number;
  precision: number;
  recall: number;
}

export function score(results: { expected: string[]; found: string[] }[]): Score {
  let truePositives = 0;
  let falsePositives = 0;
  let falseNegatives = 0;
  for (const { expected, found } of results) {
    for (const rule of found)
      if (expected.includes(rule)) truePositives++;
      else falsePositives++;
    for (const rule of expected) if (!found.includes(rule)) falseNegatives++;
  }
  return {
    truePositives,
    falsePositives,
    falseNegatives,
    precision: truePositives / Math.max(1, truePositives + falsePositives),
    recall: truePositives / Math.max(1, truePositives + falseNegatives),
  };
}
