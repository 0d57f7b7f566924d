import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import nodemailer from "nodemailer";
import { describe, expect, it } from "vitest";
import { createMemoryStore } from "@soc/shared/memory";
import { startSmtpSink } from "@soc/shared/testing";
import { emailMonthlyReport } from "./mail.ts";
import { createMemoryReportSource } from "./memory-source.ts";

describe("the scheduled report email", () => {
  it("arrives with the month's PDF attached", async () => {
    const smtp = await startSmtpSink();
    try {
      const store = createMemoryStore();
      await store.bulkIndex([
        {
          id: "a",
          message: "Failed password for root from 203.0.113.7",
          timestamp: Date.UTC(2026, 9, 3) / 1000,
          status: "new",
          is_anomaly: true,
          reason: "r",
          source_ip: "203.0.113.7",
          rule: "brute_force",
        },
      ]);
      await emailMonthlyReport({
        source: createMemoryReportSource(store),
        transport: nodemailer.createTransport(smtp.url),
        from: "soc@example.test",
        to: ["ciso@example.test"],
        month: "2026-10",
        now: new Date("2026-11-01T06:00:00Z"),
      });
      expect(smtp.mails).toHaveLength(1);
      const mail = smtp.mails[0];
      expect(mail?.subject).toBe("[SOC] Monthly security report 2026-10: 1 incidents");
      const attachment = mail?.attachments[0];
      expect(attachment?.filename).toBe("soc-report-2026-10.pdf");
      const file = join(mkdtempSync(join(tmpdir(), "mail-")), "report.pdf");
      writeFileSync(file, attachment?.content ?? Buffer.alloc(0));
      expect(execFileSync("pdftotext", [file, "-"], { encoding: "utf8" })).toContain("203.0.113.7");
    } finally {
      await smtp.close();
    }
  });
});
