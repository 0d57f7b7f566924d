// Public face of @soc/reporter: report figures, their sources, the PDF and its route.
export { createReportRoutes } from "./routes.ts";
export { createElasticsearchReportSource } from "./elasticsearch-source.ts";
export { createMemoryReportSource } from "./memory-source.ts";
export { renderMonthlyReport } from "./pdf.ts";
export { parseMonth, type MonthlySummary, type ReportSource, type Month } from "./summary.ts";
export { emailMonthlyReport } from "./mail.ts";
export { parseReporterEnv, reporterEnvSchema, type ReporterEnv } from "./config.ts";
