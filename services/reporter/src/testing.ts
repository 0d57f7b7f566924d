/** Fixtures for the monthly report's tests, here and in the API that serves it. */
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ProcessedLog } from "@soc/shared";

const october = Date.UTC(2026, 9, 1) / 1000;
const incident = (id: string, day: number, overrides: Partial<ProcessedLog> = {}): ProcessedLog => ({
  id,
  message: "sshd[1]: Failed password for root from 203.0.113.7 port 22 ssh2",
  timestamp: october + (day - 1) * 86_400 + 3_600,
  status: "new",
  is_anomaly: true,
  reason: "Brute-force attempt detected from 203.0.113.7 (5 attempts).",
  source_ip: "203.0.113.7",
  rule: "brute_force",
  ...overrides,
});
/** A month of stored documents (October 2026) with one from the month before; the figures tests expect follow from it. */
const fromGoogle = {
  client: {
    geo: { country_iso_code: "US", country_name: "United States" },
    as: { number: 15_169, organization: { name: "Google LLC" } },
  },
};
export const MONTH_OF_DOCS: ProcessedLog[] = [
  incident("i1", 1, fromGoogle),
  incident("i2", 1, {
    status: "resolved",
    status_updated_at: october + 3_600 + 1_800,
    resolution_seconds: 1_800,
    ...fromGoogle,
  }),
  incident("i3", 15, {
    rule: "keyword",
    source_ip: "198.51.100.4",
    status: "false_positive",
    status_updated_at: october + 14 * 86_400 + 3_600 + 5_400,
    resolution_seconds: 5_400,
    // A name the report's built-in fonts cannot show (it must print as "?", not as unrelated glyphs).
    client: {
      geo: { country_iso_code: "RU", country_name: "Russia" },
      as: { number: 12_389, organization: { name: "ПАО Ростелеком" } },
    },
  }),
  incident("i4", 31, { rule: "traffic_spike", status: "acknowledged", client: { network: "private" } }),
  incident("n1", 2, { is_anomaly: false, rule: null, reason: null }),
  incident("sept", -5),
];

/** The text of a PDF, laid out as on the page (poppler's pdftotext). */
export function pdfText(pdf: Buffer): string {
  const file = join(mkdtempSync(join(tmpdir(), "report-")), "report.pdf");
  writeFileSync(file, pdf);
  return execFileSync("pdftotext", ["-layout", file, "-"], { encoding: "utf8" });
}
