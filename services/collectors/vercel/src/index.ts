// Public face of the Vercel log-drain collector.
export { vercelDrainSource, signatureMatches, parseDrainBody, toLogMessage, type VercelDrainOptions } from "./drain.ts";
export { parseVercelCollectorEnv, vercelCollectorEnvSchema, type VercelCollectorEnv } from "./config.ts";
