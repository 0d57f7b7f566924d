/** Builds a month's report and emails it as a PDF attachment. */
import type { Transporter } from "nodemailer";
import { renderMonthlyReport } from "./pdf.ts";
import { parseMonth, type ReportSource } from "./summary.ts";

async function collect(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** `reportId`, when given, becomes the Message-ID: a forced re-send is told apart from a duplicate. */
export async function emailMonthlyReport(options: {
  source: ReportSource;
  transport: Transporter;
  from: string;
  to: string[];
  month: string;
  now: Date;
  reportId?: string;
}): Promise<{ incidents: number }> {
  const month = parseMonth(options.month);
  if (month === null) throw new Error(`month: expected YYYY-MM, got '${options.month}'`);
  const summary = await options.source.monthlySummary(month);
  const pdf = await collect(renderMonthlyReport(summary, options.now));
  await options.transport.sendMail({
    ...(options.reportId === undefined ? {} : { messageId: `<${options.reportId}@soc-pipeline>` }),
    from: options.from,
    to: options.to,
    subject: `[SOC] Monthly security report ${month.label}: ${summary.incidents} incidents`,
    text: `The security report for ${month.label} is attached: ${summary.logsProcessed} logs analysed, ${summary.incidents} incidents.\n`,
    attachments: [{ filename: `soc-report-${month.label}.pdf`, content: pdf, contentType: "application/pdf" }],
  });
  return { incidents: summary.incidents };
}
