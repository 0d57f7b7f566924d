import { describe, expect, it } from "vitest";
import { createMemoryReportDeliveries } from "./deliveries.ts";
import { sendReportOnce } from "./run-once.ts";

const now = () => new Date("2026-11-01T06:00:00Z");

function emailer(failWith?: Error) {
  const sent: string[] = [];
  return {
    sent,
    email: async (reportId: string) =>
      failWith === undefined ? (sent.push(reportId), { incidents: 4 }) : Promise.reject(failWith),
  };
}

describe("a month's report, at most once", () => {
  it("emails a month once, then skips it, saying when and to whom it went", async () => {
    const deliveries = createMemoryReportDeliveries();
    const mail = emailer();
    const first = await sendReportOnce({
      month: "2026-10",
      force: false,
      recipients: ["ciso@example.test"],
      deliveries,
      email: mail.email,
      now,
    });
    expect(first).toMatchObject({
      outcome: "sent",
      report: { month: "2026-10", sentAt: 1_793_512_800, recipients: ["ciso@example.test"], incidents: 4 },
    });
    const second = await sendReportOnce({
      month: "2026-10",
      force: false,
      recipients: ["ciso@example.test"],
      deliveries,
      email: mail.email,
      now,
    });
    expect(second).toEqual({ outcome: "already-sent", report: first.report });
    expect(mail.sent).toEqual([first.report.reportId]);
  });

  it("sends again when forced, under a new report id", async () => {
    const deliveries = createMemoryReportDeliveries();
    const mail = emailer();
    const first = await sendReportOnce({
      month: "2026-10",
      force: false,
      recipients: [],
      deliveries,
      email: mail.email,
      now,
    });
    const forced = await sendReportOnce({
      month: "2026-10",
      force: true,
      recipients: [],
      deliveries,
      email: mail.email,
      now,
    });
    expect(forced.outcome).toBe("sent");
    expect(mail.sent).toHaveLength(2);
    expect(forced.report.reportId).not.toBe(first.report.reportId);
    expect(await deliveries.sent("2026-10")).toEqual(forced.report);
  });

  it("records nothing when the email fails, so the retry sends it", async () => {
    const deliveries = createMemoryReportDeliveries();
    await expect(
      sendReportOnce({
        month: "2026-10",
        force: false,
        recipients: [],
        deliveries,
        email: emailer(new Error("connect ECONNREFUSED")).email,
        now,
      }),
    ).rejects.toThrow("ECONNREFUSED");
    expect(await deliveries.sent("2026-10")).toBeNull();
    const mail = emailer();
    expect(
      (await sendReportOnce({ month: "2026-10", force: false, recipients: [], deliveries, email: mail.email, now }))
        .outcome,
    ).toBe("sent");
    expect(mail.sent).toHaveLength(1);
  });

  it("says the email went out when only the record failed", async () => {
    const deliveries = { ...createMemoryReportDeliveries(), record: () => Promise.reject(new Error("es down")) };
    await expect(
      sendReportOnce({ month: "2026-10", force: false, recipients: [], deliveries, email: emailer().email, now }),
    ).rejects.toThrow(/was emailed but could not be recorded as sent/);
  });
});
