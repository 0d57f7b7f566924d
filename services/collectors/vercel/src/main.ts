/** The Vercel log-drain receiver as a service. */
import { runCollector } from "@soc/collector-framework";
import { parseVercelCollectorEnv } from "./config.ts";
import { vercelDrainSource } from "./drain.ts";

runCollector({
  name: "vercel",
  parseEnv: parseVercelCollectorEnv,
  sources: (env) => ({
    drain: vercelDrainSource({ secret: env.VERCEL_DRAIN_SECRET, verifyToken: env.VERCEL_VERIFY_TOKEN }),
  }),
});
