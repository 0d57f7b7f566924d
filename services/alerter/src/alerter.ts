/**
 * The alerter: sole consumer of `high-priority-alerts`. Each alert becomes a plain-English
 * notification on every configured channel. Each channel works through its own queue, so a slow or
 * throttled webhook does not hold the other channels' copies of a batch. Offsets commit only after
 * every channel delivered or gave up and that was recorded, so a restart neither loses nor re-sends;
 * the next batch therefore waits for the slowest channel, which the retry policy bounds.
 */
import {
  decodeMessage,
  highPriorityAlertSchema,
  publishDeadLetters,
  TOPICS,
  type Bus,
  type HighPriorityAlert,
  type IncomingMessage,
  type Logger,
  type Subscription,
} from "@soc/shared";
import { Counter, Gauge, markDeadLettered, startProcessSpan, withinSpan, type Registry } from "@soc/shared/telemetry";
import { GIVE_UP_REASONS, type Channel } from "./channels/channel.ts";
import type { DeliveryLog } from "./delivery-log.ts";
import { abortableSleep, DEFAULT_RETRY_POLICY, deliver, type DeliveryHooks, type RetryPolicy } from "./delivery.ts";
import { NoiseFilter, type FollowUp } from "./noise.ts";
import type { Notification } from "./notification.ts";
import { renderFollowUp } from "./templates/follow-up.ts";
import { renderIncidentUpdate } from "./templates/incident-update.ts";
import { renderAlert } from "./templates/index.ts";
import type { RenderContext } from "./templates/template.ts";

export interface AlerterDeps {
  bus: Bus;
  channels: Channel[];
  deliveryLog: DeliveryLog;
  dedupWindowSeconds: number;
  dashboardUrl: string;
  /** The GitHub web origin a credential-leak link may point to besides github.com. */
  githubWebUrl?: string;
  topic?: string;
  groupId?: string;
  policy?: RetryPolicy;
  logger: Logger;
  registry: Registry;
  /** Epoch milliseconds. */
  now?: () => number;
  sleep?: DeliveryHooks["sleep"];
  random?: () => number;
  followUpCheckMs?: number;
}

export interface Alerter {
  start(): Promise<void>;
  stop(): Promise<void>;
  deadChannels(): string[];
}

function alerterMetrics(registry: Registry) {
  const counter = (name: string, help: string, labelNames: string[] = ["channel"]) =>
    new Counter({ name, help, labelNames, registers: [registry] });
  return {
    sent: counter("alerter_sent_total", "Notifications delivered"),
    failed: counter("alerter_failed_total", "Notifications given up, by reason", ["channel", "reason"]),
    retried: counter("alerter_retried_total", "Retries after a 5xx or network error"),
    throttled: counter("alerter_throttled_total", "429 answers honoured"),
    suppressed: counter("alerter_suppressed_total", "Repeats folded by noise control"),
    dead: new Gauge({
      name: "alerter_dead_channels",
      help: "Channels whose endpoint is gone (404/401)",
      registers: [registry],
    }),
    received: new Counter({
      name: "alerter_alerts_total",
      help: "High-priority alerts received, by type and severity (before repeats are folded)",
      labelNames: ["type", "severity"],
      registers: [registry],
    }),
    deadLettered: new Counter({
      name: "alerter_dead_lettered_total",
      help: "Malformed alert messages sent to the dead-letter topic",
      registers: [registry],
    }),
  };
}

type Settlement = "settled" | "interrupted";
const STOPPING = "alerter stopping: leaving the batch for the next start";

/** A channel's queue: its notifications go out in order, one at a time, whatever the other channels do. */
function createQueue() {
  let tail: Promise<unknown> = Promise.resolve();
  return {
    run<T>(task: () => Promise<T>): Promise<T> {
      const next = tail.then(task);
      tail = next.catch(() => undefined);
      return next;
    },
    /** Settles once everything queued so far has finished. */
    idle: (): Promise<unknown> => tail,
  };
}

export function createAlerter(deps: AlerterDeps): Alerter {
  const { bus, logger } = deps;
  const now = deps.now ?? Date.now;
  const policy = deps.policy ?? DEFAULT_RETRY_POLICY;
  const context: RenderContext = {
    dashboardUrl: deps.dashboardUrl,
    githubWebUrl: deps.githubWebUrl ?? "https://github.com",
  };
  const noise = new NoiseFilter(deps.dedupWindowSeconds);
  const metrics = alerterMetrics(deps.registry);
  const dead = new Set<string>();
  const groupId = deps.groupId ?? "soc-alerter";
  const queues = deps.channels.map((channel) => ({ channel, queue: createQueue() }));
  // Every channel's failure series exists from the start at zero, so an alert on increase() sees the first failure.
  for (const channel of deps.channels)
    for (const reason of GIVE_UP_REASONS) metrics.failed.inc({ channel: channel.id, reason }, 0);
  // Aborted by stop(): queued deliveries do not start and retry waits end; an attempt under way finishes.
  const shutdown = new AbortController();
  let subscription: Subscription | null = null;
  let followUpTimer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> = Promise.resolve();

  const hooks = (channel: Channel): DeliveryHooks => ({
    sleep: deps.sleep ?? abortableSleep,
    random: deps.random ?? Math.random,
    signal: shutdown.signal,
    onRetry: (cause) => (cause === "throttled" ? metrics.throttled : metrics.retried).inc({ channel: channel.id }),
  });

  /** One notification on one channel: settled once delivered or given up, and recorded. */
  async function deliverTo(channel: Channel, notification: Notification): Promise<Settlement> {
    if (shutdown.signal.aborted) return "interrupted";
    if (dead.has(channel.id) || (await deps.deliveryLog.settled(notification.id, channel.id))) return "settled";
    const result = await deliver(channel, notification, policy, hooks(channel));
    if (result.kind === "interrupted") return "interrupted";
    if (result.kind === "delivered") metrics.sent.inc({ channel: channel.id });
    else {
      metrics.failed.inc({ channel: channel.id, reason: result.reason });
      logger.error(
        { channel: channel.id, reason: result.reason, detail: result.detail, notification: notification.id },
        "notification given up",
      );
      if (result.reason === "dead_endpoint") {
        dead.add(channel.id);
        metrics.dead.set(dead.size);
        logger.error(
          { channel: channel.id },
          "channel endpoint is gone; it will not be called again until the alerter is reconfigured",
        );
      }
    }
    await deps.deliveryLog.record(
      notification.id,
      channel.id,
      result.kind === "delivered" ? "delivered" : result.reason,
    );
    return "settled";
  }

  /** Queues the notification on every channel; each settles it in its own time. */
  const notify = (notification: Notification): Promise<Settlement>[] =>
    queues.map(({ channel, queue }) => queue.run(() => deliverTo(channel, notification)));

  async function handleBatch(messages: IncomingMessage[]): Promise<void> {
    // On shutdown, nothing new starts: the batch stays uncommitted and is delivered after the
    // restart, and the delivery log skips the channels that already have it.
    if (shutdown.signal.aborted) throw new Error(STOPPING);
    const rejected: { message: IncomingMessage; reason: string }[] = [];
    const deliveries: Promise<Settlement>[] = [];
    for (const message of messages) {
      // Continues the trace of the log that raised the alert; ends once every channel settled it.
      const span = startProcessSpan(message, groupId);
      const decoded = decodeMessage(highPriorityAlertSchema, message);
      if (!decoded.ok) {
        rejected.push({ message, reason: decoded.reason });
        markDeadLettered(span, decoded.reason);
        span.end();
        continue;
      }
      const alert: HighPriorityAlert = decoded.value;
      metrics.received.inc({ type: alert.type, severity: alert.severity });
      const admission = noise.admit(alert, now() / 1000);
      if (admission.action === "suppress") {
        for (const channel of deps.channels) metrics.suppressed.inc({ channel: channel.id });
        span.setAttribute("soc.alert.suppressed", true);
        span.end();
        continue;
      }
      // An incident is announced by its first alert; any later one that gets through is an update.
      const notification =
        alert.incident?.opened === false
          ? renderIncidentUpdate(alert, admission.previous, context)
          : renderAlert(alert, context);
      const sent = withinSpan(span, () => notify(notification));
      void Promise.allSettled(sent).then(() => span.end());
      deliveries.push(...sent);
    }
    const outcomes = await Promise.allSettled(deliveries);
    const failed = outcomes.find((outcome): outcome is PromiseRejectedResult => outcome.status === "rejected");
    if (failed !== undefined) throw failed.reason;
    if (outcomes.some((outcome) => outcome.status === "fulfilled" && outcome.value === "interrupted"))
      throw new Error(STOPPING);
    if (rejected.length > 0) {
      await publishDeadLetters(bus, rejected);
      metrics.deadLettered.inc(rejected.length);
    }
  }

  async function sendFollowUps(): Promise<void> {
    const render = (followUp: FollowUp): Notification =>
      followUp.alert.incident === undefined
        ? renderFollowUp(followUp, context)
        : renderIncidentUpdate(followUp.alert, followUp.since, context);
    await Promise.all(noise.closeExpired(now() / 1000).flatMap((followUp) => notify(render(followUp))));
  }

  return {
    deadChannels: () => [...dead],
    async start() {
      const tracked = (messages: IncomingMessage[]): Promise<void> => (inFlight = handleBatch(messages));
      subscription = await bus.subscribe({
        groupId,
        topics: [deps.topic ?? TOPICS.highPriorityAlerts],
        fromBeginning: true,
        handleBatch: tracked,
      });
      followUpTimer = setInterval(
        () => void sendFollowUps().catch((error: unknown) => logger.error({ err: error }, "follow-up failed")),
        deps.followUpCheckMs ?? 5_000,
      );
      followUpTimer.unref();
      logger.info({ channels: deps.channels.map((c) => c.id) }, "alerter started");
    },
    async stop() {
      shutdown.abort();
      clearInterval(followUpTimer);
      // Attempts under way finish and are recorded; whatever did not start stays uncommitted.
      await Promise.all([inFlight.catch(() => undefined), ...queues.map(({ queue }) => queue.idle())]);
      await subscription?.stop();
    },
  };
}
