// The CronJob's command as the image runs it, against the real Elasticsearch and an SMTP server on
// loopback: one email with the month's PDF, exit 0; a second run emails nothing; an SMTP failure
// fails the Job and records nothing, so its retry sends the report.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createElasticsearchStore } from "@soc/shared/elasticsearch";
import { missingInfra, realInfra, startSmtpSink, uniqueName, type SmtpSink } from "@soc/shared/testing";
import { reportsIndexOf } from "./elasticsearch-deliveries.ts";
import { MONTH_OF_DOCS, pdfText } from "./testing.ts";

const main = fileURLToPath(new URL("./main.ts", import.meta.url));

async function run(env: Record<string, string>, args: string[] = []): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, ["--import", "tsx", main, ...args], {
    env: { PATH: process.env.PATH ?? "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += String(chunk)));
  child.stderr.on("data", (chunk: Buffer) => (output += String(chunk)));
  const [code] = (await once(child, "exit")) as [number | null];
  return { code, output };
}

describe.skipIf(missingInfra("elasticsearchUrl"))("the monthly report run (services/reporter/src/main.ts)", () => {
  const index = uniqueName("report-job");
  const url = realInfra.elasticsearchUrl ?? "";
  let smtp: SmtpSink;
  const envOf = (smtpUrl: string) => ({
    ELASTICSEARCH_URL: url,
    ELASTICSEARCH_INDEX: index,
    SMTP_URL: smtpUrl,
    REPORT_EMAIL_TO: "ciso@example.test",
    REPORT_EMAIL_FROM: "soc@example.test",
  });

  beforeAll(async () => {
    smtp = await startSmtpSink();
    const store = createElasticsearchStore({ url, index, refreshOnWrite: true });
    await store.ensureReady();
    await store.bulkIndex(MONTH_OF_DOCS);
    await store.close();
  });
  afterAll(async () => {
    await smtp.close();
    const store = createElasticsearchStore({ url, index });
    await store.dropIndices();
    await store.client.indices.delete({ index: reportsIndexOf(index) }, { ignore: [404] });
    await store.close();
  });

  it("fails the Job and records nothing when the SMTP server cannot be reached", async () => {
    const { code, output } = await run(envOf("smtp://127.0.0.1:1"), ["--month", "2026-10"]);
    expect(code, output).toBe(1);
    expect(output).toContain("monthly report failed");
    expect(smtp.mails).toHaveLength(0);
  });

  it("emails the month's report once, with its PDF attached, and exits 0", async () => {
    const { code, output } = await run(envOf(smtp.url), ["--month", "2026-10"]);
    expect(code, output).toBe(0);
    expect(output).toContain("monthly report sent");
    expect(smtp.mails).toHaveLength(1);
    const mail = smtp.mails[0];
    expect(mail?.subject).toBe("[SOC] Monthly security report 2026-10: 4 incidents");
    expect(mail?.to).toMatchObject({ text: "ciso@example.test" });
    const attachment = mail?.attachments[0];
    expect(attachment).toMatchObject({ filename: "soc-report-2026-10.pdf", contentType: "application/pdf" });
    expect(pdfText(attachment?.content ?? Buffer.alloc(0))).toContain("203.0.113.7");
  });

  it("emails nothing on a second run of the same month, and exits 0", async () => {
    const { code, output } = await run(envOf(smtp.url), ["--month", "2026-10"]);
    expect(code, output).toBe(0);
    expect(output).toContain("monthly report already sent");
    expect(smtp.mails).toHaveLength(1);
  });

  it("sends it again with --force, under a new Message-ID", async () => {
    const { code, output } = await run(envOf(smtp.url), ["--month", "2026-10", "--force"]);
    expect(code, output).toBe(0);
    expect(smtp.mails).toHaveLength(2);
    expect(smtp.mails[1]?.messageId).not.toBe(smtp.mails[0]?.messageId);
  });

  it("refuses a month that is not YYYY-MM before touching anything", async () => {
    const { code, output } = await run(envOf(smtp.url), ["--month", "2026-13"]);
    expect(code).toBe(2);
    expect(output).toContain("--month: expected YYYY-MM");
  });
});
