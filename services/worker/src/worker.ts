/**
 * The analysis worker: consumes `logs`, runs the detection core, writes `processed_logs` in bulk and
 * publishes high-confidence findings to `high-priority-alerts`. Offsets commit only after the
 * batch's documents are accepted; malformed messages go to `logs-dlq`; input never crashes it.
 */
import { isSpanContextValid, ROOT_CONTEXT, trace, type Attributes, type Span } from "@opentelemetry/api";
import {
  decodeMessage,
  DEFAULT_PIPELINE_GROUPS,
  followWhitelist,
  logMessageSchema,
  publishDeadLetters,
  seedWhitelist,
  TOPICS,
  type Bus,
  type Counters,
  DEFAULT_INCIDENT_POLICY,
  latestStates,
  type HighPriorityAlert,
  type IncidentStore,
  type IncidentTracker,
  type IncomingMessage,
  type Placed,
  type Logger,
  type PipelineTopics,
  type LogMessage,
  type LogStore,
  type ProcessedLog,
  type Subscription,
  type TemplateVerdicts,
  type Whitelist,
  type WhitelistFollower,
} from "@soc/shared";
import { createMemoryIncidentStore, createMemoryIncidentTracker } from "@soc/shared/memory";
import {
  Counter,
  Gauge,
  Histogram,
  LATENCY_BUCKETS,
  markDeadLettered,
  recordFailure,
  startProcessSpan,
  withinSpan,
  withoutSpans,
  type Registry,
} from "@soc/shared/telemetry";
import { createAnalyzer, type Analysis } from "./analyze.ts";
import { createPatternAssigner, type PatternAssigner } from "./patterns/assigner.ts";
import { createMemoryTemplateStore } from "./patterns/template-store.ts";
import type { DetectionConfig } from "./detection/config.ts";
import type { Enrich } from "./enrichment/enricher.ts";
import { clientLocationOf, ecsFieldsOf } from "./ecs/ecs-fields.ts";
import { incidentAlertOf, incidentOfAlert, joinDocument } from "./incidents.ts";

export interface WorkerDeps {
  bus: Bus;
  store: LogStore;
  counters: Counters;
  detection: DetectionConfig;
  /** WHITELISTED_IPS: published once if never on the topic. */
  whitelistSeed: string[];
  groupId?: string;
  /** Topic names; `logs`, `config-updates`, `high-priority-alerts` by default. */
  topics?: PipelineTopics;
  logger: Logger;
  registry: Registry;
  /** Epoch milliseconds; injectable for tests. */
  now?: () => number;
  lagPollMs?: number;
  /** Gives each log its template; templates kept in this process only when absent. */
  patterns?: PatternAssigner;
  /** Country and network of each source address; none when absent. */
  enrich?: Enrich;
  /** Groups alerts into incidents (shared by every replica) and keeps them; in this process only when absent. */
  incidents?: { tracker: IncidentTracker; store: IncidentStore };
}

export interface Worker {
  start(): Promise<void>;
  stop(): Promise<void>;
  readonly whitelist: Whitelist;
  /** Analysts' verdicts on log templates, as this worker applies them. */
  readonly templates: TemplateVerdicts;
}

/** Deterministic per message, so a redelivered message overwrites its document. */
export const documentId = (message: IncomingMessage): string =>
  `${message.topic}-${message.partition}-${message.offset}`;

/** `traceId`: the trace the log arrived in (ECS trace.id), to open it from the document. */
export function toDocument(
  id: string,
  log: LogMessage,
  analysis: Analysis,
  nowMs: number,
  traceId: string | null = null,
): ProcessedLog {
  return {
    id,
    message: log.message,
    timestamp: analysis.features.timeSeconds,
    status: "new",
    is_anomaly: analysis.verdict.is_anomaly,
    reason: analysis.verdict.reason,
    source_ip: analysis.features.ip,
    ...(analysis.features.host !== null ? { source_host: analysis.features.host } : {}),
    ...(analysis.features.ipInferred ? { source_ip_inferred: true } : {}),
    rule: analysis.verdict.rule,
    source: log.source ?? null,
    endpoint: analysis.features.endpoint,
    ingested_at: nowMs,
    ...(traceId !== null ? { trace: { id: traceId } } : {}),
    ...(analysis.pattern !== null ? { pattern: { id: analysis.pattern.id, template: analysis.pattern.template } } : {}),
    ...(analysis.verdict.severity !== null ? { severity: analysis.verdict.severity } : {}),
    ...ecsFieldsOf(log, analysis.features),
  };
}

/** The trace a message's span belongs to; null when the message carried none and nothing is sampled. */
const traceIdOf = (span: Span): string | null =>
  isSpanContextValid(span.spanContext()) ? span.spanContext().traceId : null;

export function toHighPriorityAlert(
  doc: ProcessedLog,
  analysis: Analysis,
  nowMs: number,
  placed?: Placed,
): HighPriorityAlert | null {
  const alert = analysis.verdict.alert;
  if (alert === null) return null;
  // The alert's client is where the source is (schema version 1); its address is `source_ip` already.
  const location = clientLocationOf(doc.client);
  return {
    schema_version: 1,
    alert_id: doc.id,
    type: alert.type,
    severity: "high",
    summary: doc.reason ?? "",
    detected_at: nowMs / 1000,
    // The address, or the host name when the log names the client only by name.
    source_ip: doc.source_ip ?? doc.source_host ?? null,
    count: alert.count,
    window_seconds: alert.windowSeconds,
    first_seen: alert.firstSeen,
    last_seen: alert.lastSeen,
    log_id: doc.id,
    details: { ...alert.details, ...(doc.source_ip_inferred === true ? { source_inferred: true } : {}) },
    ...(location !== undefined ? { client: location } : {}),
    ...(placed !== undefined ? { incident: incidentOfAlert(placed, doc.id) } : {}),
  };
}

function workerMetrics(registry: Registry) {
  return {
    consumed: new Counter({ name: "worker_logs_consumed_total", help: "Log messages consumed", registers: [registry] }),
    detections: new Counter({
      name: "worker_detections_total",
      help: "Anomalies found, by rule",
      labelNames: ["rule"],
      registers: [registry],
    }),
    deadLettered: new Counter({
      name: "worker_dead_lettered_total",
      help: "Malformed messages sent to the dead-letter topic",
      registers: [registry],
    }),
    bulkSeconds: new Histogram({
      name: "worker_bulk_duration_seconds",
      help: "Store bulk write latency",
      buckets: LATENCY_BUCKETS,
      registers: [registry],
    }),
    batchSize: new Histogram({
      name: "worker_batch_size",
      help: "Messages per batch",
      buckets: [1, 10, 50, 100, 250, 500, 1000, 5000],
      registers: [registry],
    }),
    pipelineSeconds: new Histogram({
      name: "pipeline_latency_seconds",
      help: "From API acceptance to the document written",
      buckets: LATENCY_BUCKETS,
      registers: [registry],
    }),
    lag: new Gauge({
      name: "worker_consumer_lag",
      help: "Messages on `logs` not yet processed by the group",
      registers: [registry],
    }),
  };
}

export function createWorker(deps: WorkerDeps): Worker {
  const { bus, store, logger } = deps;
  const now = deps.now ?? Date.now;
  const groupId = deps.groupId ?? DEFAULT_PIPELINE_GROUPS.worker;
  const topics = deps.topics ?? TOPICS;
  const analyze = createAnalyzer(
    deps.detection,
    deps.counters,
    deps.patterns ?? createPatternAssigner({ store: createMemoryTemplateStore() }),
  );
  const metrics = workerMetrics(deps.registry);
  const incidents = deps.incidents ?? {
    tracker: createMemoryIncidentTracker(DEFAULT_INCIDENT_POLICY),
    store: createMemoryIncidentStore(),
  };
  const tracer = trace.getTracer("soc-worker");
  let follower: WhitelistFollower | null = null;
  let subscription: Subscription | null = null;
  let lagTimer: NodeJS.Timeout | undefined;

  /**
   * A step the whole batch shares (one analysis call, one bulk request), shown as a child span in
   * each message's trace, so every log's trace tells its whole path.
   */
  async function stepInEachTrace<T>(
    name: string,
    parents: Span[],
    attributes: Attributes,
    work: () => Promise<T>,
  ): Promise<T> {
    const spans = parents.map((parent) =>
      tracer.startSpan(
        name,
        { attributes: { "messaging.batch.message_count": parents.length, ...attributes } },
        trace.setSpan(ROOT_CONTEXT, parent),
      ),
    );
    try {
      return await work();
    } catch (error) {
      for (const span of spans) recordFailure(span, error);
      throw error;
    } finally {
      for (const span of spans) span.end();
    }
  }

  /** Each message is processed in its own span, continuing the trace it was published in. */
  async function handleBatch(messages: IncomingMessage[]): Promise<void> {
    const spans = messages.map((message) => startProcessSpan(message, groupId));
    try {
      await processBatch(messages, spans);
    } catch (error) {
      for (const span of spans) recordFailure(span, error);
      throw error;
    } finally {
      for (const span of spans) span.end();
    }
  }

  /** Each anomaly joins or opens its incident and takes its id and status; answers per document (none for normal logs). */
  async function placeInIncidents(
    messages: IncomingMessage[],
    docs: ProcessedLog[],
    analyses: Analysis[],
  ): Promise<(Placed | undefined)[]> {
    const candidates = docs.flatMap((doc, i) => {
      const alert = incidentAlertOf(doc, analyses[i] as Analysis, messages[i] as IncomingMessage);
      return alert === null ? [] : [{ i, alert }];
    });
    const answers = await incidents.tracker.place(candidates.map(({ alert }) => alert));
    const placed: (Placed | undefined)[] = new Array<Placed | undefined>(docs.length);
    candidates.forEach(({ i }, k) => {
      const answer = answers[k] as Placed;
      joinDocument(docs[i] as ProcessedLog, answer);
      placed[i] = answer;
    });
    return placed;
  }

  async function processBatch(messages: IncomingMessage[], spans: Span[]): Promise<void> {
    const { whitelist, templates } = follower as WhitelistFollower;
    const rejected: { message: IncomingMessage; reason: string }[] = [];
    const accepted: { message: IncomingMessage; log: LogMessage; span: Span }[] = [];
    for (const [i, message] of messages.entries()) {
      const span = spans[i] as Span;
      const decoded = decodeMessage(logMessageSchema, message);
      if (decoded.ok) accepted.push({ message, log: decoded.value, span });
      else {
        rejected.push({ message, reason: decoded.reason });
        markDeadLettered(span, decoded.reason);
      }
    }
    const acceptedSpans = accepted.map(({ span }) => span);
    const nowMs = now();
    const analyses = await stepInEachTrace("analyse", acceptedSpans, {}, () =>
      analyze(
        accepted.map(({ message, log }) => ({ log, eventId: documentId(message) })),
        whitelist,
        nowMs / 1000,
        templates,
      ),
    );
    const docs = accepted.map(({ message, log, span }, i) => {
      const doc = toDocument(documentId(message), log, analyses[i] as Analysis, nowMs, traceIdOf(span));
      const client = deps.enrich?.(doc.source_ip);
      if (client !== undefined) doc.client = { ...doc.client, ...client };
      span.setAttributes({
        "soc.document.id": doc.id,
        "soc.is_anomaly": doc.is_anomaly,
        ...(doc.rule != null ? { "soc.rule": doc.rule } : {}),
      });
      return doc;
    });
    const placed = await placeInIncidents(
      accepted.map(({ message }) => message),
      docs,
      analyses,
    );
    const alerts = docs.flatMap((doc, i) => {
      const alert = toHighPriorityAlert(doc, analyses[i] as Analysis, nowMs, placed[i]);
      return alert === null ? [] : [{ alert, span: (accepted[i] as { span: Span }).span }];
    });

    const stopBulk = metrics.bulkSeconds.startTimer();
    const bulk = {
      "db.system.name": "elasticsearch",
      "db.operation.name": "bulk",
      "db.operation.batch.size": docs.length,
    };
    // The client's own span for the shared request would be a trace of its own: ours stand for it in each message's trace.
    await stepInEachTrace("index processed_logs", acceptedSpans, bulk, () => withoutSpans(() => store.bulkIndex(docs)));
    stopBulk();
    await incidents.store.put(latestStates(placed.filter((p): p is Placed => p !== undefined)));
    // Each alert is sent in its log's span, so the alerter continues that log's trace; the Kafka bus
    // still sends concurrent publishes together.
    await Promise.all(
      alerts.map(({ alert, span }) =>
        withinSpan(span, () =>
          bus.publish(topics.highPriorityAlerts, [{ key: alert.source_ip, value: JSON.stringify(alert) }]),
        ),
      ),
    );
    if (rejected.length > 0) {
      await publishDeadLetters(bus, rejected);
      logger.warn({ count: rejected.length, first: rejected[0]?.reason }, "malformed log messages dead-lettered");
    }

    metrics.consumed.inc(messages.length);
    metrics.batchSize.observe(messages.length);
    metrics.deadLettered.inc(rejected.length);
    const writtenMs = now();
    for (const [i, doc] of docs.entries()) {
      if (doc.rule !== null && doc.rule !== undefined && doc.is_anomaly) metrics.detections.inc({ rule: doc.rule });
      const receivedAt = accepted[i]?.log.received_at;
      if (receivedAt !== undefined) metrics.pipelineSeconds.observe(Math.max(0, writtenMs - receivedAt) / 1000);
    }
  }

  const pollLag = async (): Promise<void> => {
    try {
      const partitions = await bus.lag(groupId, topics.logs);
      metrics.lag.set(partitions.reduce((sum, p) => sum + p.lag, 0));
    } catch (error) {
      logger.debug({ err: error }, "lag poll failed");
    }
  };

  return {
    get whitelist() {
      if (follower === null) throw new Error("worker not started");
      return follower.whitelist;
    },
    get templates() {
      if (follower === null) throw new Error("worker not started");
      return follower.templates;
    },
    async start() {
      await Promise.all([store.ensureReady(), incidents.store.ensureReady()]);
      follower = await followWhitelist(bus, logger, topics.configUpdates);
      await seedWhitelist(bus, follower, deps.whitelistSeed);
      subscription = await bus.subscribe({ groupId, topics: [topics.logs], fromBeginning: true, handleBatch });
      lagTimer = setInterval(() => void pollLag(), deps.lagPollMs ?? 10_000);
      lagTimer.unref();
      logger.info({ groupId, whitelist: follower.whitelist.size }, "worker started");
    },
    async stop() {
      clearInterval(lagTimer);
      await subscription?.stop();
      await follower?.subscription.stop();
    },
  };
}
