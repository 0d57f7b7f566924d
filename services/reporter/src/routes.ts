/** GET /reports/monthly.pdf?month=YYYY-MM, mounted by the API behind the read role. */
import Router from "@koa/router";
import { AppError, type Logger } from "@soc/shared";
import { renderMonthlyReport } from "./pdf.ts";
import { parseMonth, type ReportSource } from "./summary.ts";

export function createReportRoutes(deps: { source: ReportSource; logger: Logger; now?: () => Date }): Router {
  const router = new Router();
  router.get("/reports/monthly.pdf", async (ctx) => {
    const requested = typeof ctx.query.month === "string" ? ctx.query.month : "";
    const month = parseMonth(requested);
    if (month === null) throw new AppError("bad_request", `month: expected YYYY-MM (e.g. 2026-10), got '${requested}'`);
    const summary = await deps.source.monthlySummary(month);
    ctx.type = "application/pdf";
    ctx.set("Content-Disposition", `attachment; filename="soc-report-${month.label}.pdf"`);
    ctx.body = renderMonthlyReport(summary, deps.now?.() ?? new Date());
    deps.logger.info({ month: month.label, incidents: summary.incidents }, "monthly report served");
  });
  return router;
}
