/** The PostgreSQL collector as a service: polls the csvlog directory and publishes to `logs`. */
import { runCollector } from "@soc/collector-framework";
import { parsePostgresCollectorEnv } from "./config.ts";
import { csvlogSource } from "./csvlog-source.ts";

runCollector({
  name: "postgres",
  parseEnv: parsePostgresCollectorEnv,
  sources: (env) => ({
    pull: {
      source: csvlogSource(env.POSTGRES_LOG_DIR),
      cursorFile: env.COLLECTOR_CURSOR_FILE,
      intervalSeconds: env.COLLECTOR_POLL_SECONDS,
    },
  }),
});
