/**
 * Starts alerters on an in-memory bus, fake webhooks and an SMTP sink for a test, and tears all of
 * them down again: call `cleanup` in afterEach.
 */
import { silentLogger, TOPICS, type Bus, type HighPriorityAlert, type Logger } from "@soc/shared";
import { createMemoryBus } from "@soc/shared/memory";
import { createRegistry } from "@soc/shared/telemetry";
import { startSmtpSink, type SmtpSink } from "@soc/shared/testing";
import { createAlerter, type Alerter, type AlerterDeps } from "../alerter.ts";
import type { Channel } from "../channels/channel.ts";
import { createMemoryDeliveryLog, type DeliveryLog } from "../delivery-log.ts";
import { startFakeWebhook, type FakeWebhook } from "./fake-webhook.ts";

export interface AlerterOptions {
  bus?: Bus;
  deliveryLog?: DeliveryLog;
  dedupWindowSeconds?: number;
  now?: () => number;
  logger?: Logger;
  /** By default waits are recorded and skipped; pass one that really waits to test timing. */
  sleep?: AlerterDeps["sleep"];
  policy?: AlerterDeps["policy"];
  githubWebUrl?: string;
}

export function alerterHarness() {
  const cleanups: (() => Promise<void>)[] = [];

  async function fakeWebhook(...args: Parameters<typeof startFakeWebhook>): Promise<FakeWebhook> {
    const fake = await startFakeWebhook(...args);
    cleanups.push(() => fake.close());
    return fake;
  }

  async function smtpSink(): Promise<SmtpSink> {
    const smtp = await startSmtpSink();
    cleanups.push(() => smtp.close());
    return smtp;
  }

  async function startAlerter(channels: Channel[], options: AlerterOptions = {}) {
    const bus = options.bus ?? createMemoryBus({ retryDelayMs: 10 });
    const deliveryLog = options.deliveryLog ?? createMemoryDeliveryLog();
    const waits: number[] = [];
    const registry = createRegistry("alerter-test", { defaultMetrics: false });
    const sleep = options.sleep;
    const alerter: Alerter = createAlerter({
      bus,
      channels,
      deliveryLog,
      dedupWindowSeconds: options.dedupWindowSeconds ?? 600,
      dashboardUrl: "http://localhost:3000",
      logger: options.logger ?? silentLogger(),
      registry,
      sleep: async (ms, signal) => {
        waits.push(ms);
        await sleep?.(ms, signal);
      },
      random: () => 0.5,
      followUpCheckMs: 20,
      ...(options.now === undefined ? {} : { now: options.now }),
      ...(options.policy === undefined ? {} : { policy: options.policy }),
      ...(options.githubWebUrl === undefined ? {} : { githubWebUrl: options.githubWebUrl }),
    });
    await alerter.start();
    cleanups.push(() => alerter.stop());
    const publish = (...alerts: HighPriorityAlert[]) =>
      bus.publish(
        TOPICS.highPriorityAlerts,
        alerts.map((alert) => ({ value: JSON.stringify(alert) })),
      );
    return { alerter, publish, waits, registry, bus, deliveryLog };
  }

  return {
    fakeWebhook,
    smtpSink,
    startAlerter,
    async cleanup() {
      while (cleanups.length > 0) await cleanups.pop()?.();
    },
  };
}
