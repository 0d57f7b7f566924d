// Public face of the Vercel log-drain collector.
export { vercelDrainHandler, signatureMatches, parseDrainBody, toLogMessage, type DrainOptions } from "./drain.ts";
export { parseVercelCollectorEnv, vercelCollectorEnvSchema, type VercelCollectorEnv } from "./config.ts";
