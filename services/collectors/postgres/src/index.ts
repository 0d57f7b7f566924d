// Public face of the PostgreSQL collector.
export { csvlogSource, toLogMessage, clientAddress, csvlogTime } from "./csvlog-source.ts";
export { completeCsvRecords } from "./csv.ts";
