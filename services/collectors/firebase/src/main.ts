/** The Firebase collector: polls Cloud Logging with a service-account credential from a Secret. */
import { runCollector } from "@soc/collector-framework";
import { parseFirebaseCollectorEnv } from "./config.ts";
import { accessTokenProvider } from "./google-auth.ts";
import { cloudLoggingSource } from "./source.ts";

runCollector({
  name: "firebase",
  parseEnv: parseFirebaseCollectorEnv,
  sources: (env) => {
    const accessToken = accessTokenProvider(
      env.GOOGLE_SERVICE_ACCOUNT_JSON,
      "https://www.googleapis.com/auth/logging.read",
    );
    const source = cloudLoggingSource({
      baseUrl: env.CLOUD_LOGGING_URL,
      projectId: env.GCP_PROJECT_ID,
      accessToken,
      filter: env.FIREBASE_LOG_FILTER,
      since: new Date().toISOString(),
    });
    return { pull: { source, cursorFile: env.COLLECTOR_CURSOR_FILE, intervalSeconds: env.COLLECTOR_POLL_SECONDS } };
  },
});
