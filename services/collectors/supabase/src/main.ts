/** The Supabase collector: polls the Management API logs endpoint and, if configured, receives a log drain. */
import { runCollector } from "@soc/collector-framework";
import { parseSupabaseCollectorEnv } from "./config.ts";
import { supabaseDrainSource, supabaseSource } from "./source.ts";

runCollector({
  name: "supabase",
  parseEnv: parseSupabaseCollectorEnv,
  sources: (env) => {
    const source = supabaseSource({
      baseUrl: env.SUPABASE_API_URL,
      projectRef: env.SUPABASE_PROJECT_REF,
      token: env.SUPABASE_ACCESS_TOKEN,
      windowSeconds: env.COLLECTOR_POLL_SECONDS,
    });
    const secret = env.SUPABASE_DRAIN_SECRET;
    return {
      pull: { source, cursorFile: env.COLLECTOR_CURSOR_FILE, intervalSeconds: env.COLLECTOR_POLL_SECONDS },
      drain: secret === undefined ? undefined : supabaseDrainSource({ headerName: env.SUPABASE_DRAIN_HEADER, secret }),
    };
  },
});
