/** One-shot credential scan (a Kubernetes CronJob runs it; locally: npx tsx services/credential-scanner/src/main.ts). */
import { createLogger, topicsFromEnv } from "@soc/shared";
import { createKafkaBus, kafkaConnectionOf } from "@soc/shared/kafka";
import { startTracing, withSpan } from "@soc/shared/telemetry";
import { parseScannerEnv } from "./config.ts";
import { createGitHubClient } from "./github.ts";
import { fileFindingStore, runScan } from "./scanner.ts";

const env = parseScannerEnv(process.env);
const logger = createLogger("credential-scanner", env.LOG_LEVEL);
const tracing = startTracing("soc-credential-scanner", env.OTEL_EXPORTER_OTLP_ENDPOINT, env.OTEL_EXPORTER_OTLP_HEADERS);
await tracing.ready;
const bus = createKafkaBus({ ...kafkaConnectionOf(env), clientId: "soc-credential-scanner", logger });
await withSpan("credential scan", () =>
  runScan({
    github: createGitHubClient({ baseUrl: env.GITHUB_API_URL, token: env.GITHUB_TOKEN }),
    queries: env.SCAN_QUERIES,
    bus,
    topic: topicsFromEnv(env).highPriorityAlerts,
    findings: fileFindingStore(env.SCAN_STATE_FILE),
    logger,
  }),
);
await bus.close();
await tracing.shutdown();
