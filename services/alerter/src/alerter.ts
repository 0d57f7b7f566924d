/**
 * The alerter: sole consumer of `high-priority-alerts`. Each alert becomes a plain-English
 * notification on every configured channel. Offsets commit only after every channel delivered or
 * gave up and that was recorded, so a restart neither loses nor re-sends.
 */
import {
  Counter,
  decodeMessage,
  Gauge,
  highPriorityAlertSchema,
  publishDeadLetters,
  TOPICS,
  type Bus,
  type HighPriorityAlert,
  type IncomingMessage,
  type Logger,
  type Registry,
  type Subscription,
} from "@soc/shared";
import type { Channel } from "./channels/channel.ts";
import type { DeliveryLog } from "./delivery-log.ts";
import { DEFAULT_RETRY_POLICY, deliver, type RetryPolicy } from "./delivery.ts";
import { NoiseFilter } from "./noise.ts";
import type { Notification } from "./notification.ts";
import { renderFollowUp } from "./templates/follow-up.ts";
import { renderAlert } from "./templates/index.ts";

export interface AlerterDeps {
  bus: Bus;
  channels: Channel[];
  deliveryLog: DeliveryLog;
  dedupWindowSeconds: number;
  dashboardUrl: string;
  topic?: string;
  groupId?: string;
  policy?: RetryPolicy;
  logger: Logger;
  registry: Registry;
  /** Epoch milliseconds. */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  followUpCheckMs?: number;
}

export interface Alerter {
  start(): Promise<void>;
  stop(): Promise<void>;
  deadChannels(): string[];
}

function alerterMetrics(registry: Registry) {
  const counter = (name: string, help: string, labelNames: string[] = ["channel"]) => new Counter({ name, help, labelNames, registers: [registry] });
  return {
    sent: counter("alerter_sent_total", "Notifications delivered"),
    failed: counter("alerter_failed_total", "Notifications given up, by reason", ["channel", "reason"]),
    retried: counter("alerter_retried_total", "Retries after a 5xx or network error"),
    throttled: counter("alerter_throttled_total", "429 answers honoured"),
    suppressed: counter("alerter_suppressed_total", "Repeats folded by noise control"),
    dead: new Gauge({ name: "alerter_dead_channels", help: "Channels whose endpoint is gone (404/401)", registers: [registry] }),
  };
}

export function createAlerter(deps: AlerterDeps): Alerter {
  const { bus, logger } = deps;
  const now = deps.now ?? Date.now;
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const noise = new NoiseFilter(deps.dedupWindowSeconds);
  const metrics = alerterMetrics(deps.registry);
  const dead = new Set<string>();
  let subscription: Subscription | null = null;
  let followUpTimer: NodeJS.Timeout | undefined;
  let stopping = false;
  let inFlight: Promise<void> = Promise.resolve();

  async function notify(notification: Notification): Promise<void> {
    for (const channel of deps.channels) {
      if (dead.has(channel.id) || (await deps.deliveryLog.settled(notification.id, channel.id))) continue;
      const result = await deliver(channel, notification, deps.policy ?? DEFAULT_RETRY_POLICY, {
        sleep,
        random: deps.random ?? Math.random,
        onRetry: (cause) => (cause === "throttled" ? metrics.throttled : metrics.retried).inc({ channel: channel.id }),
      });
      if (result.kind === "delivered") metrics.sent.inc({ channel: channel.id });
      else {
        metrics.failed.inc({ channel: channel.id, reason: result.reason });
        logger.error({ channel: channel.id, reason: result.reason, detail: result.detail, notification: notification.id }, "notification given up");
        if (result.reason === "dead_endpoint") {
          dead.add(channel.id);
          metrics.dead.set(dead.size);
          logger.error({ channel: channel.id }, "channel endpoint is gone; it will not be called again until the alerter is reconfigured");
        }
      }
      await deps.deliveryLog.record(notification.id, channel.id, result.kind === "delivered" ? "delivered" : result.reason);
    }
  }

  async function handleBatch(messages: IncomingMessage[]): Promise<void> {
    const rejected: { message: IncomingMessage; reason: string }[] = [];
    for (const message of messages) {
      // On shutdown, stop between alerts: the rest of the batch stays uncommitted and is delivered
      // after the restart, and the delivery log skips what was already sent.
      if (stopping) throw new Error("alerter stopping: leaving the rest of the batch for the next start");
      const decoded = decodeMessage(highPriorityAlertSchema, message);
      if (!decoded.ok) {
        rejected.push({ message, reason: decoded.reason });
        continue;
      }
      const alert: HighPriorityAlert = decoded.value;
      if (noise.admit(alert, now() / 1000) === "suppress") {
        for (const channel of deps.channels) metrics.suppressed.inc({ channel: channel.id });
        continue;
      }
      await notify(renderAlert(alert, deps.dashboardUrl));
    }
    if (rejected.length > 0) await publishDeadLetters(bus, rejected);
  }

  async function sendFollowUps(): Promise<void> {
    for (const followUp of noise.closeExpired(now() / 1000)) await notify(renderFollowUp(followUp, deps.dashboardUrl));
  }

  return {
    deadChannels: () => [...dead],
    async start() {
      const tracked = (messages: IncomingMessage[]): Promise<void> => (inFlight = handleBatch(messages));
      subscription = await bus.subscribe({ groupId: deps.groupId ?? "soc-alerter", topics: [deps.topic ?? TOPICS.highPriorityAlerts], fromBeginning: true, handleBatch: tracked });
      followUpTimer = setInterval(() => void sendFollowUps().catch((error: unknown) => logger.error({ err: error }, "follow-up failed")), deps.followUpCheckMs ?? 5_000);
      followUpTimer.unref();
      logger.info({ channels: deps.channels.map((c) => c.id) }, "alerter started");
    },
    async stop() {
      stopping = true;
      clearInterval(followUpTimer);
      // The alert being delivered finishes and is recorded; the rest of its batch stays uncommitted.
      await inFlight.catch(() => undefined);
      await subscription?.stop();
    },
  };
}
