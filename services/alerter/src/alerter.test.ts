import { Writable } from "node:stream";
import type { ParsedMail } from "mailparser";
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { Secret } from "@soc/shared";
import { createMemoryBus } from "@soc/shared/memory";
import { eventually } from "@soc/shared/testing";
import { discordChannel, DISCORD_LIMITS } from "./channels/discord.ts";
import { emailChannel } from "./channels/email.ts";
import { slackChannel } from "./channels/slack.ts";
import { createMemoryDeliveryLog } from "./delivery-log.ts";
import { abortableSleep } from "./delivery.ts";
import { bruteForceAlert } from "./testing/fixtures.ts";
import { DISCORD, SLACK } from "./testing/fake-webhook.ts";
import { alerterHarness } from "./testing/harness.ts";

const { fakeWebhook, smtpSink, startAlerter, cleanup } = alerterHarness();
afterEach(cleanup);

describe("alerter on Slack-like and Discord-like webhooks", () => {
  it("posts Block Kit with a text fallback, after honouring Slack's Retry-After", async () => {
    const slack = await fakeWebhook(SLACK.ok);
    slack.script(SLACK.rateLimited(2));
    const { publish, waits } = await startAlerter([slackChannel("slack#1", new Secret(slack.url))]);
    await publish(bruteForceAlert());
    await eventually(() => expect(slack.received).toHaveLength(1));
    expect(waits).toEqual([2_000]);
    const body = slack.received[0] as { text: string; blocks: { type: string }[] };
    expect(body.text).toBe(
      "Security alert: brute-force attack detected. 5 failed logins from 198.51.100.10 in 4 minutes.",
    );
    expect(body.blocks.map((block) => block.type)).toEqual(["header", "section", "section", "actions"]);
  });

  it("honours Discord's retry_after and keeps embeds inside Discord's limits", async () => {
    const discord = await fakeWebhook(DISCORD.ok);
    discord.script(DISCORD.rateLimited(0.35));
    const { publish, waits } = await startAlerter([discordChannel("discord#1", new Secret(discord.url))]);
    await publish(bruteForceAlert({ source_ip: "203.0.113.9", details: { pattern: "x".repeat(9_000) } }));
    await eventually(() => expect(discord.received).toHaveLength(1));
    expect(waits).toEqual([350]);
    const embed = (
      discord.received[0] as {
        embeds: { title: string; description: string; fields: { name: string; value: string }[] }[];
      }
    ).embeds[0];
    expect(embed?.description).toContain("from 203.0.113.9");
    expect(embed?.title.length).toBeLessThanOrEqual(DISCORD_LIMITS.title);
    const total =
      (embed?.title.length ?? 0) +
      (embed?.description.length ?? 0) +
      (embed?.fields ?? []).reduce((sum, f) => sum + f.name.length + f.value.length, 0);
    expect(total).toBeLessThanOrEqual(DISCORD_LIMITS.total);
  });

  it("retries server errors with backoff and delivers once", async () => {
    const slack = await fakeWebhook(SLACK.ok);
    slack.script(SLACK.serverError, SLACK.serverError);
    const { publish, waits, registry } = await startAlerter([slackChannel("slack#1", new Secret(slack.url))]);
    await publish(bruteForceAlert());
    await eventually(() => expect(slack.received).toHaveLength(1));
    expect(slack.requests).toBe(3);
    expect(waits).toEqual([250, 500]);
    expect(await registry.getSingleMetricAsString("alerter_retried_total")).toContain(
      'alerter_retried_total{channel="slack#1",service="alerter-test"} 2',
    );
  });

  it("counts alerts by type and severity and malformed messages sent to the dead-letter topic, and exposes each channel's failures from zero", async () => {
    const slack = await fakeWebhook(SLACK.ok);
    const { publish, bus, registry } = await startAlerter([slackChannel("slack#1", new Secret(slack.url))]);
    expect(await registry.getSingleMetricAsString("alerter_failed_total")).toContain(
      'alerter_failed_total{channel="slack#1",reason="retries_exhausted",service="alerter-test"} 0',
    );
    await publish(bruteForceAlert());
    await bus.publish("high-priority-alerts", [{ value: "{not json" }]);
    await eventually(async () =>
      expect(await registry.getSingleMetricAsString("alerter_dead_lettered_total")).toContain(
        'alerter_dead_lettered_total{service="alerter-test"} 1',
      ),
    );
    expect(await registry.getSingleMetricAsString("alerter_alerts_total")).toContain(
      'alerter_alerts_total{type="brute_force",severity="high",service="alerter-test"} 1',
    );
  });

  it("marks a webhook that answers 404 as dead and stops calling it, while other channels keep working", async () => {
    const gone = await fakeWebhook(DISCORD.unknownWebhook);
    const slack = await fakeWebhook(SLACK.ok);
    const { alerter, publish } = await startAlerter([
      discordChannel("discord#1", new Secret(gone.url)),
      slackChannel("slack#1", new Secret(slack.url)),
    ]);
    await publish(
      bruteForceAlert({ alert_id: "a1", source_ip: "198.51.100.1" }),
      bruteForceAlert({ alert_id: "a2", source_ip: "198.51.100.2" }),
    );
    await eventually(() => expect(slack.received).toHaveLength(2));
    expect(gone.requests).toBe(1);
    expect(alerter.deadChannels()).toEqual(["discord#1"]);
  });

  it("does not retry a rejected payload", async () => {
    const slack = await fakeWebhook(SLACK.invalidPayload);
    const { publish, registry } = await startAlerter([slackChannel("slack#1", new Secret(slack.url))]);
    await publish(bruteForceAlert());
    await eventually(async () =>
      expect(await registry.getSingleMetricAsString("alerter_failed_total")).toContain(
        'alerter_failed_total{channel="slack#1",reason="rejected",service="alerter-test"} 1',
      ),
    );
    expect(slack.requests).toBe(1);
  });

  it("folds repeats for the same IP into one follow-up that says how many were suppressed", async () => {
    const slack = await fakeWebhook(SLACK.ok);
    let nowMs = 1_764_000_000_000;
    const { publish } = await startAlerter([slackChannel("slack#1", new Secret(slack.url))], {
      dedupWindowSeconds: 600,
      now: () => nowMs,
    });
    await publish(
      bruteForceAlert({ alert_id: "a1" }),
      bruteForceAlert({ alert_id: "a2" }),
      bruteForceAlert({ alert_id: "a3" }),
      bruteForceAlert({ alert_id: "b1", source_ip: "192.0.2.50" }),
    );
    await eventually(() => expect(slack.received).toHaveLength(2));
    nowMs += 601_000;
    await eventually(() => expect(slack.received).toHaveLength(3));
    expect((slack.received[2] as { text: string }).text).toMatch(
      /^Follow-up: 2 more brute-force alerts were suppressed from 198\.51\.100\.10 in the last 10 minutes\./,
    );
  });

  it("never writes a webhook URL into its logs", async () => {
    const lines: string[] = [];
    const logger = pino(
      { level: "debug" },
      new Writable({ write: (chunk: Buffer, _e, done) => void (lines.push(chunk.toString()), done()) }),
    );
    const gone = await fakeWebhook(SLACK.gone);
    const { publish } = await startAlerter([slackChannel("slack#1", new Secret(gone.url))], { logger });
    await publish(bruteForceAlert());
    await eventually(() => expect(lines.join("")).toContain("channel endpoint is gone"));
    expect(lines.join("")).not.toContain("XXXXSECRETTOKEN");
    expect(`${new Secret(gone.url)}`).toBe("<secret>");
  });
});

describe("alerter with a slow, throttled or hanging channel", () => {
  const linkOf = (body: unknown): string | undefined => (body as { embeds: { url?: string }[] }).embeds[0]?.url;

  it("caps Slack's Retry-After: 3600 and Discord's retry_after: 1e999 at ten minutes by default", async () => {
    const slack = await fakeWebhook(SLACK.ok);
    const discord = await fakeWebhook(DISCORD.ok);
    slack.script(SLACK.rateLimited(3600));
    discord.script({
      status: 429,
      body: '{"message":"You are being rate limited.","retry_after":1e999,"global":false}',
      headers: { "content-type": "application/json" },
    });
    const { publish, waits } = await startAlerter([
      slackChannel("slack#1", new Secret(slack.url)),
      discordChannel("discord#1", new Secret(discord.url)),
    ]);
    await publish(bruteForceAlert());
    await eventually(() => expect([slack.received.length, discord.received.length]).toEqual([1, 1]));
    expect(waits).toEqual([600_000, 600_000]);
  });

  it("keeps Discord and email on time while Slack answers 429 Retry-After: 3600, stops at once, and sends Slack its alerts after the restart", async () => {
    const throttled = await fakeWebhook(SLACK.rateLimited(3600));
    const discord = await fakeWebhook(DISCORD.ok);
    const smtp = await smtpSink();
    const bus = createMemoryBus({ retryDelayMs: 10 });
    const deliveryLog = createMemoryDeliveryLog();
    const discordAndEmail = [
      discordChannel("discord#1", new Secret(discord.url)),
      emailChannel("email#1", { smtpUrl: new Secret(smtp.url), from: "soc@example.test", to: ["oncall@example.test"] }),
    ];
    const first = await startAlerter([slackChannel("slack#1", new Secret(throttled.url)), ...discordAndEmail], {
      bus,
      deliveryLog,
      sleep: abortableSleep,
    });
    await first.publish(
      bruteForceAlert({ alert_id: "a1", log_id: "a1", source_ip: "198.51.100.1" }),
      bruteForceAlert({ alert_id: "a2", log_id: "a2", source_ip: "198.51.100.2" }),
    );

    await eventually(() => expect([discord.received.length, smtp.mails.length]).toEqual([2, 2]), { timeoutMs: 3_000 });
    expect(discord.received.map(linkOf)).toEqual([
      "http://localhost:3000/#/alerts?id=a1",
      "http://localhost:3000/#/alerts?id=a2",
    ]);
    expect(throttled.requests).toBe(1);
    expect(first.waits).toEqual([600_000]);

    const stopping = Date.now();
    await first.alerter.stop();
    expect(Date.now() - stopping).toBeLessThan(1_000);
    expect(await deliveryLog.settled("a1", "slack#1")).toBe(false);
    expect(await deliveryLog.settled("a1", "discord#1")).toBe(true);

    // Slack is back: the uncommitted batch is delivered to it alone, nothing twice elsewhere.
    const slack = await fakeWebhook(SLACK.ok);
    await startAlerter([slackChannel("slack#1", new Secret(slack.url)), ...discordAndEmail], { bus, deliveryLog });
    await eventually(() => expect(slack.received).toHaveLength(2));
    expect([discord.received.length, smtp.mails.length]).toEqual([2, 2]);
  });

  it("keeps Discord on time while the Slack webhook hangs without answering", async () => {
    const hanging = await fakeWebhook(SLACK.ok, { delayMs: 60_000 });
    const discord = await fakeWebhook(DISCORD.ok);
    const { publish } = await startAlerter(
      [slackChannel("slack#1", new Secret(hanging.url)), discordChannel("discord#1", new Secret(discord.url))],
      { sleep: abortableSleep },
    );
    await publish(
      bruteForceAlert({ alert_id: "a1", source_ip: "198.51.100.1" }),
      bruteForceAlert({ alert_id: "a2", source_ip: "198.51.100.2" }),
    );
    await eventually(() => expect(discord.received).toHaveLength(2), { timeoutMs: 3_000 });
    expect(hanging.requests).toBe(1);
    await hanging.close(); // else stop() waits out the attempt under way (10 s timeout)
  });

  it("on stop, lets the attempt under way finish and records it", async () => {
    const slow = await fakeWebhook(SLACK.ok, { delayMs: 300 });
    const { alerter, publish, deliveryLog } = await startAlerter([slackChannel("slack#1", new Secret(slow.url))]);
    await publish(bruteForceAlert({ alert_id: "a1" }), bruteForceAlert({ alert_id: "a2", source_ip: "198.51.100.2" }));
    await eventually(() => expect(slow.requests).toBe(1), { intervalMs: 5 });
    await alerter.stop();
    expect(await deliveryLog.settled("a1", "slack#1")).toBe(true);
    expect(await deliveryLog.settled("a2", "slack#1")).toBe(false);
  });
});

describe("alerter email over a real SMTP server", () => {
  it("sends HTML and plain text that a mail client receives", async () => {
    const smtp = await smtpSink();
    const email = emailChannel("email#1", {
      smtpUrl: new Secret(smtp.url),
      from: "SOC <soc@example.test>",
      to: ["oncall@example.test"],
    });
    const { publish } = await startAlerter([email]);
    await publish(bruteForceAlert());
    await eventually(() => expect(smtp.mails).toHaveLength(1));
    const mail = smtp.mails[0] as ParsedMail;
    expect(mail.subject).toBe("[SOC] Security alert: brute-force attack detected");
    expect(mail.text).toContain("5 failed logins from 198.51.100.10 in 4 minutes.");
    expect(mail.html).toContain('<th align="left" style="padding:4px 12px 4px 0">Source IP</th><td>198.51.100.10</td>');
    expect(mail.headers.get("x-soc-alert-id")).toBe("logs-0-42");
  });
});
