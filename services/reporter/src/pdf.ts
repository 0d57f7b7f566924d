/**
 * The monthly report as a PDF stream (pdfkit): a header, the key figures, a bar chart of incidents
 * by type, the daily timeline, tables of top IPs, countries, networks and statuses, time to resolve, page numbers.
 */
import PDFDocument from "pdfkit";
import { countryLabel, networkLabel } from "./origins.ts";
import { winAnsiText } from "./pdf-text.ts";
import type { MonthlySummary } from "./summary.ts";

type Doc = InstanceType<typeof PDFDocument>;
const INK = "#1f2933";
const MUTED = "#616e7c";
const ACCENT = "#c92a2a";
const BAR = "#3e4c59";
const RULE_NAMES: Record<string, string> = {
  brute_force: "Brute force",
  traffic_spike: "Traffic spike",
  keyword: "Suspicious keyword",
  credential_leak: "Credential leak",
};

const formatDuration = (seconds: number | null): string => {
  if (seconds === null) return "n/a";
  if (seconds < 3_600) return `${Math.round(seconds / 60)} min`;
  if (seconds < 172_800) return `${(seconds / 3_600).toFixed(1)} h`;
  return `${(seconds / 86_400).toFixed(1)} days`;
};

/** Starts a new page when fewer than `height` points are left above the footer. */
function ensureRoom(doc: Doc, height: number): void {
  if (doc.y + height > doc.page.height - doc.page.margins.bottom) doc.addPage();
}

function heading(doc: Doc, text: string): void {
  // A heading is never left alone at the foot of a page.
  ensureRoom(doc, 60);
  doc.moveDown(1).fillColor(INK).font("Helvetica-Bold").fontSize(13).text(text, 50).moveDown(0.4);
}

function figures(doc: Doc, items: [string, string][]): void {
  const top = doc.y;
  const width = (doc.page.width - 100) / items.length;
  items.forEach(([label, value], i) => {
    const x = 50 + i * width;
    doc.roundedRect(x, top, width - 10, 58, 4).fillAndStroke("#f5f7fa", "#e4e7eb");
    doc
      .fillColor(INK)
      .font("Helvetica-Bold")
      .fontSize(18)
      .text(value, x + 10, top + 10, { width: width - 30 });
    doc
      .fillColor(MUTED)
      .font("Helvetica")
      .fontSize(9)
      .text(label, x + 10, top + 38, { width: width - 30 });
  });
  doc.y = top + 70;
}

function horizontalBars(doc: Doc, rows: { label: string; value: number }[]): void {
  const max = Math.max(1, ...rows.map((row) => row.value));
  for (const row of rows) {
    const y = doc.y;
    doc.fillColor(INK).font("Helvetica").fontSize(10).text(row.label, 50, y, { width: 130 });
    doc.rect(185, y, Math.max(1, (row.value / max) * 280), 11).fill(BAR);
    doc.fillColor(INK).text(String(row.value), 475, y);
    doc.y = y + 18;
  }
}

function timeline(doc: Doc, daily: MonthlySummary["daily"]): void {
  const left = 50;
  const height = 110;
  const top = doc.y;
  const width = doc.page.width - 100;
  const max = Math.max(1, ...daily.map((d) => d.count));
  const slot = width / daily.length;
  doc
    .moveTo(left, top + height)
    .lineTo(left + width, top + height)
    .strokeColor("#cbd2d9")
    .stroke();
  daily.forEach((day, i) => {
    const barHeight = (day.count / max) * (height - 10);
    if (day.count > 0)
      doc.rect(left + i * slot + 1, top + height - barHeight, Math.max(1, slot - 2), barHeight).fill(ACCENT);
    if (i % 5 === 0)
      doc
        .fillColor(MUTED)
        .font("Helvetica")
        .fontSize(7)
        .text(day.day.slice(8), left + i * slot, top + height + 3, { width: slot * 2 });
  });
  doc
    .fillColor(MUTED)
    .fontSize(7)
    .text(`max ${max} per day`, left, top - 10);
  doc.y = top + height + 16;
}

function table(doc: Doc, header: [string, string], rows: [string, string][]): void {
  const widths = [260, 120];
  const draw = (cells: [string, string], bold: boolean): void => {
    ensureRoom(doc, 15);
    const y = doc.y;
    doc
      .fillColor(INK)
      .font(bold ? "Helvetica-Bold" : "Helvetica")
      .fontSize(10);
    // Cells may hold names registrants chose; one line each, so a long one cannot overlap the next row.
    doc.text(winAnsiText(cells[0]), 50, y, { width: widths[0], height: 12, ellipsis: true });
    doc.text(winAnsiText(cells[1]), 50 + (widths[0] ?? 0), y, { width: widths[1], align: "right" });
    doc.y = y + 15;
    doc
      .moveTo(50, doc.y - 2)
      .lineTo(430, doc.y - 2)
      .strokeColor("#e4e7eb")
      .stroke();
  };
  draw(header, true);
  for (const row of rows) draw(row, false);
}

export function renderMonthlyReport(summary: MonthlySummary, generatedAt: Date): Doc {
  const doc = new PDFDocument({
    size: "A4",
    margin: 50,
    bufferPages: true,
    info: { Title: `SOC monthly report ${summary.month}`, Author: "SOC Pipeline" },
  });
  doc.rect(0, 0, doc.page.width, 90).fill(INK);
  doc.fillColor("#ffffff").font("Helvetica-Bold").fontSize(22).text("Monthly security report", 50, 28);
  doc
    .font("Helvetica")
    .fontSize(11)
    .text(`${summary.month}  ·  generated ${generatedAt.toISOString().slice(0, 16).replace("T", " ")} UTC`, 50, 58);
  doc.y = 110;

  const open = (summary.byStatus.new ?? 0) + (summary.byStatus.acknowledged ?? 0);
  const closed = (summary.byStatus.resolved ?? 0) + (summary.byStatus.false_positive ?? 0);
  figures(doc, [
    ["Logs processed", summary.logsProcessed.toLocaleString("en-US")],
    ["Incidents", summary.incidents.toLocaleString("en-US")],
    ["Open", open.toLocaleString("en-US")],
    ["Median time to resolve", formatDuration(summary.timeToResolve.medianSeconds)],
  ]);

  if (summary.incidents === 0) {
    heading(doc, "No incidents");
    doc
      .font("Helvetica")
      .fontSize(11)
      .fillColor(INK)
      .text(
        `No incidents were detected in ${summary.month}. ${summary.logsProcessed.toLocaleString("en-US")} logs were analysed.`,
        50,
      );
  } else {
    heading(doc, "Incidents by type");
    horizontalBars(
      doc,
      Object.entries(summary.byRule)
        .sort((a, b) => b[1] - a[1])
        .map(([rule, value]) => ({ label: RULE_NAMES[rule] ?? rule, value })),
    );
    heading(doc, "Daily timeline");
    timeline(doc, summary.daily);
    heading(doc, "Top attacking IPs");
    table(
      doc,
      ["Source IP", "Incidents"],
      summary.topIps.map((row) => [row.ip, row.count.toLocaleString("en-US")]),
    );
    heading(doc, "Where the incidents came from");
    if (summary.topCountries.length === 0 && summary.topNetworks.length === 0) {
      doc
        .font("Helvetica")
        .fontSize(10)
        .fillColor(MUTED)
        .text("No source address was located: the addresses were private or unknown, or enrichment is off.", 50);
    } else {
      table(
        doc,
        ["Country", "Incidents"],
        summary.topCountries.map((row) => [countryLabel(row), row.count.toLocaleString("en-US")]),
      );
      doc.moveDown(0.8);
      table(
        doc,
        ["Network", "Incidents"],
        summary.topNetworks.map((row) => [networkLabel(row), row.count.toLocaleString("en-US")]),
      );
    }
    heading(doc, "Status");
    table(
      doc,
      ["Status", "Incidents"],
      [
        ["Open (new or acknowledged)", open.toLocaleString("en-US")],
        ["Resolved", (summary.byStatus.resolved ?? 0).toLocaleString("en-US")],
        ["False positive", (summary.byStatus.false_positive ?? 0).toLocaleString("en-US")],
        ["Closed in total", closed.toLocaleString("en-US")],
        ["Average time to resolve", formatDuration(summary.timeToResolve.averageSeconds)],
        ["Median time to resolve", formatDuration(summary.timeToResolve.medianSeconds)],
      ],
    );
  }

  const range = doc.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    // The footer sits in the bottom margin; with the margin kept, pdfkit would start a new page for it.
    doc.page.margins.bottom = 0;
    doc
      .fillColor(MUTED)
      .font("Helvetica")
      .fontSize(8)
      .text(`SOC Pipeline · ${summary.month} · page ${i + 1} of ${range.count}`, 50, doc.page.height - 40, {
        align: "center",
        width: doc.page.width - 100,
        lineBreak: false,
      });
  }
  doc.end();
  return doc;
}
