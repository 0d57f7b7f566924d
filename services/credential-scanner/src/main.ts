/** One-shot credential scan (a Kubernetes CronJob runs it; locally: npx tsx services/credential-scanner/src/main.ts). */
import { z } from "zod";
import { commaList, createKafkaBus, createLogger, logLevel, parseConfig, secretString, checkKafkaEnv, kafkaConnectionOf, kafkaEnvShape } from "@soc/shared";
import { createGitHubClient } from "./github.ts";
import { fileFindingStore, runScan } from "./scanner.ts";

const env = parseConfig(
  z.object({
    ...kafkaEnvShape,
    GITHUB_TOKEN: secretString,
    GITHUB_API_URL: z.url().default("https://api.github.com"),
    /** Code-search queries for the organisation: domains, names, code signatures. */
    SCAN_QUERIES: commaList.pipe(z.array(z.string()).min(1)),
    SCAN_STATE_FILE: z.string().min(1).default(".data/credential-scanner-findings.json"),
    LOG_LEVEL: logLevel,
  }).superRefine(checkKafkaEnv),
  process.env,
);
const logger = createLogger("credential-scanner", env.LOG_LEVEL);
const bus = createKafkaBus({ ...kafkaConnectionOf(env), clientId: "soc-credential-scanner", logger });
await runScan({ github: createGitHubClient({ baseUrl: env.GITHUB_API_URL, token: env.GITHUB_TOKEN }), queries: env.SCAN_QUERIES, bus, findings: fileFindingStore(env.SCAN_STATE_FILE), logger });
await bus.close();
