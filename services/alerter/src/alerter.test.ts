import { Writable } from "node:stream";
import type { ParsedMail } from "mailparser";
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { createMemoryBus, createRegistry, Secret, silentLogger, TOPICS, type Bus, type HighPriorityAlert, type Logger } from "@soc/shared";
import { eventually, startSmtpSink } from "@soc/shared/testing";
import { createAlerter, type Alerter } from "./alerter.ts";
import type { Channel } from "./channels/channel.ts";
import { discordChannel, DISCORD_LIMITS } from "./channels/discord.ts";
import { emailChannel } from "./channels/email.ts";
import { slackChannel } from "./channels/slack.ts";
import { createMemoryDeliveryLog } from "./delivery-log.ts";
import { bruteForceAlert } from "./testing/fixtures.ts";
import { DISCORD, SLACK, startFakeWebhook, type FakeWebhook } from "./testing/fake-webhook.ts";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

async function fakeWebhook(...args: Parameters<typeof startFakeWebhook>): Promise<FakeWebhook> {
  const fake = await startFakeWebhook(...args);
  cleanups.push(() => fake.close());
  return fake;
}

async function startAlerter(channels: Channel[], options: { bus?: Bus; dedupWindowSeconds?: number; now?: () => number; logger?: Logger } = {}) {
  const bus = options.bus ?? createMemoryBus({ retryDelayMs: 10 });
  const waits: number[] = [];
  const registry = createRegistry("alerter-test", { defaultMetrics: false });
  const alerter: Alerter = createAlerter({
    bus,
    channels,
    deliveryLog: createMemoryDeliveryLog(),
    dedupWindowSeconds: options.dedupWindowSeconds ?? 600,
    dashboardUrl: "http://localhost:3000",
    logger: options.logger ?? silentLogger(),
    registry,
    sleep: async (ms) => void waits.push(ms),
    random: () => 0.5,
    followUpCheckMs: 20,
    ...(options.now === undefined ? {} : { now: options.now }),
  });
  await alerter.start();
  cleanups.push(() => alerter.stop());
  const publish = (...alerts: HighPriorityAlert[]) => bus.publish(TOPICS.highPriorityAlerts, alerts.map((alert) => ({ value: JSON.stringify(alert) })));
  return { alerter, publish, waits, registry };
}

describe("alerter on Slack-like and Discord-like webhooks", () => {
  it("posts Block Kit with a text fallback, after honouring Slack's Retry-After", async () => {
    const slack = await fakeWebhook(SLACK.ok);
    slack.script(SLACK.rateLimited(2));
    const { publish, waits } = await startAlerter([slackChannel("slack#1", new Secret(slack.url))]);
    await publish(bruteForceAlert());
    await eventually(() => expect(slack.received).toHaveLength(1));
    expect(waits).toEqual([2_000]);
    const body = slack.received[0] as { text: string; blocks: { type: string }[] };
    expect(body.text).toBe("Security alert: brute-force attack detected. 5 failed logins from 198.51.100.10 in 4 minutes.");
    expect(body.blocks.map((block) => block.type)).toEqual(["header", "section", "section", "actions"]);
  });

  it("honours Discord's retry_after and keeps embeds inside Discord's limits", async () => {
    const discord = await fakeWebhook(DISCORD.ok);
    discord.script(DISCORD.rateLimited(0.35));
    const { publish, waits } = await startAlerter([discordChannel("discord#1", new Secret(discord.url))]);
    await publish(bruteForceAlert({ source_ip: "203.0.113.9", details: { pattern: "x".repeat(9_000) } }));
    await eventually(() => expect(discord.received).toHaveLength(1));
    expect(waits).toEqual([350]);
    const embed = (discord.received[0] as { embeds: { title: string; description: string; fields: { name: string; value: string }[] }[] }).embeds[0];
    expect(embed?.description).toContain("from 203.0.113.9");
    expect(embed?.title.length).toBeLessThanOrEqual(DISCORD_LIMITS.title);
    const total = (embed?.title.length ?? 0) + (embed?.description.length ?? 0) + (embed?.fields ?? []).reduce((sum, f) => sum + f.name.length + f.value.length, 0);
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
    expect(await registry.getSingleMetricAsString("alerter_retried_total")).toContain('alerter_retried_total{channel="slack#1",service="alerter-test"} 2');
  });

  it("marks a webhook that answers 404 as dead and stops calling it, while other channels keep working", async () => {
    const gone = await fakeWebhook(DISCORD.unknownWebhook);
    const slack = await fakeWebhook(SLACK.ok);
    const { alerter, publish } = await startAlerter([discordChannel("discord#1", new Secret(gone.url)), slackChannel("slack#1", new Secret(slack.url))]);
    await publish(bruteForceAlert({ alert_id: "a1", source_ip: "198.51.100.1" }), bruteForceAlert({ alert_id: "a2", source_ip: "198.51.100.2" }));
    await eventually(() => expect(slack.received).toHaveLength(2));
    expect(gone.requests).toBe(1);
    expect(alerter.deadChannels()).toEqual(["discord#1"]);
  });

  it("does not retry a rejected payload", async () => {
    const slack = await fakeWebhook(SLACK.invalidPayload);
    const { publish, registry } = await startAlerter([slackChannel("slack#1", new Secret(slack.url))]);
    await publish(bruteForceAlert());
    await eventually(async () => expect(await registry.getSingleMetricAsString("alerter_failed_total")).toContain('reason="rejected"'));
    expect(slack.requests).toBe(1);
  });

  it("folds repeats for the same IP into one follow-up that says how many were suppressed", async () => {
    const slack = await fakeWebhook(SLACK.ok);
    let nowMs = 1_764_000_000_000;
    const { publish } = await startAlerter([slackChannel("slack#1", new Secret(slack.url))], { dedupWindowSeconds: 600, now: () => nowMs });
    await publish(bruteForceAlert({ alert_id: "a1" }), bruteForceAlert({ alert_id: "a2" }), bruteForceAlert({ alert_id: "a3" }), bruteForceAlert({ alert_id: "b1", source_ip: "192.0.2.50" }));
    await eventually(() => expect(slack.received).toHaveLength(2));
    nowMs += 601_000;
    await eventually(() => expect(slack.received).toHaveLength(3));
    expect((slack.received[2] as { text: string }).text).toMatch(/^Follow-up: 2 more brute-force alerts were suppressed from 198\.51\.100\.10 in the last 10 minutes\./);
  });

  it("never writes a webhook URL into its logs", async () => {
    const lines: string[] = [];
    const logger = pino({ level: "debug" }, new Writable({ write: (chunk: Buffer, _e, done) => void (lines.push(chunk.toString()), done()) }));
    const gone = await fakeWebhook(SLACK.gone);
    const { publish } = await startAlerter([slackChannel("slack#1", new Secret(gone.url))], { logger });
    await publish(bruteForceAlert());
    await eventually(() => expect(lines.join("")).toContain("channel endpoint is gone"));
    expect(lines.join("")).not.toContain("XXXXSECRETTOKEN");
    expect(`${new Secret(gone.url)}`).toBe("<secret>");
  });
});

describe("alerter email over a real SMTP server", () => {
  it("sends HTML and plain text that a mail client receives", async () => {
    const smtp = await startSmtpSink();
    cleanups.push(() => smtp.close());
    const email = emailChannel("email#1", { smtpUrl: new Secret(smtp.url), from: "SOC <soc@example.test>", to: ["oncall@example.test"] });
    const { publish } = await startAlerter([email]);
    await publish(bruteForceAlert());
    await eventually(() => expect(smtp.mails).toHaveLength(1));
    const mail = smtp.mails[0] as ParsedMail;
    expect(mail.subject).toBe("[SOC] Security alert: brute-force attack detected");
    expect(mail.text).toContain("5 failed logins from 198.51.100.10 in 4 minutes.");
    expect(mail.html).toContain("<th align=\"left\" style=\"padding:4px 12px 4px 0\">Source IP</th><td>198.51.100.10</td>");
    expect(mail.headers.get("x-soc-alert-id")).toBe("logs-0-42");
  });
});
