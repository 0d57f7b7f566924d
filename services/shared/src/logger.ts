/** Structured JSON logs (pino) with the service name on every line. */
import { pino, type Logger } from "pino";

export type { Logger };

export function createLogger(service: string, level: string = "info"): Logger {
  return pino({
    name: service,
    level,
    base: { service },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: ["*.authorization", "*.headers.authorization", '*.headers["x-api-key"]'], censor: "<secret>" },
  });
}

/** A logger that writes nothing, for tests. */
export function silentLogger(): Logger {
  return pino({ level: "silent" });
}
