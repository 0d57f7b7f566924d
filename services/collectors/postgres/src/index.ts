// Public face of the PostgreSQL collector.
export { csvlogSource, toLogMessage, csvlogTime, type CsvlogOptions } from "./csvlog-source.ts";
export { completeCsvRecords, type CsvScan } from "./csv.ts";
export { parsePostgresCollectorEnv, postgresCollectorEnvSchema, type PostgresCollectorEnv } from "./config.ts";
