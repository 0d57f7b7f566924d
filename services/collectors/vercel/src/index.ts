// Public face of the Vercel log-drain collector.
export { vercelDrainHandler, signatureMatches, parseDrainBody, toLogMessage, type DrainOptions } from "./drain.ts";
