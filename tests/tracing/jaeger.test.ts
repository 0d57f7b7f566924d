/**
 * One trace across the pipeline, read back from a real Jaeger: the API, the worker and the alerter
 * run as their own processes (their real mains) on the real Kafka, Elasticsearch and Redis, exporting
 * OTLP to Jaeger; a brute force is posted and delivered to a Slack-compatible webhook, then the
 * trace of the request that raised it is fetched from Jaeger's query API.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ProcessedLog } from "@soc/shared";
import { createElasticsearchStore } from "@soc/shared/elasticsearch";
import { eventually, missingInfra, realInfra, uniqueName } from "@soc/shared/testing";
import { SLACK, startFakeWebhook, type FakeWebhook } from "@soc/alerter/testing";
import {
  fetchJaegerTrace,
  freePort,
  randomTraceparent,
  spanTree,
  startService,
  type ServiceProcess,
} from "./processes.ts";

const jaeger = { otlp: process.env.JAEGER_OTLP_ENDPOINT ?? "", query: process.env.JAEGER_QUERY_URL ?? "" };
const skip =
  missingInfra("kafkaBroker") ||
  missingInfra("elasticsearchUrl") ||
  missingInfra("redisUrl") ||
  jaeger.otlp === "" ||
  jaeger.query === "";
if (jaeger.otlp === "")
  console.warn(
    "skipping the Jaeger tracing test: start Jaeger with 'make infra-up' (scripts/infra/jaeger.sh) and source its env",
  );

describe.skipIf(skip)("one trace from POST /logs to the Slack delivery, in a real Jaeger", () => {
  const name = uniqueName("trace");
  const topics = {
    TOPIC_LOGS: `${name}-logs`,
    TOPIC_CONFIG_UPDATES: `${name}-config-updates`,
    TOPIC_HIGH_PRIORITY_ALERTS: `${name}-alerts`,
  };
  const key = "trace-admin-key-0123456789";
  const store = createElasticsearchStore({ url: realInfra.elasticsearchUrl ?? "", index: `${name}-processed-logs` });
  const services: ServiceProcess[] = [];
  let slack: FakeWebhook;
  let apiUrl: string;

  beforeAll(async () => {
    slack = await startFakeWebhook(SLACK.ok);
    const apiPort = await freePort();
    const common = {
      ...topics,
      KAFKA_BROKER: realInfra.kafkaBroker,
      OTEL_EXPORTER_OTLP_ENDPOINT: jaeger.otlp,
      // Export within a fraction of a second instead of the default 5 s.
      OTEL_BSP_SCHEDULE_DELAY: "200",
      LOG_LEVEL: "warn",
    };
    const datastores = {
      ELASTICSEARCH_URL: realInfra.elasticsearchUrl,
      ELASTICSEARCH_INDEX: store.index,
      REDIS_URL: realInfra.redisUrl,
      REDIS_KEY_PREFIX: `${name}:`,
    };
    services.push(
      startService("api", {
        ...common,
        ...datastores,
        API_PORT: String(apiPort),
        API_KEYS: `admin:${key}`,
        WORKER_GROUP_ID: `soc-worker-${name}`,
      }),
      startService("worker", {
        ...common,
        ...datastores,
        WORKER_GROUP_ID: `soc-worker-${name}`,
        WORKER_METRICS_PORT: "0",
        BRUTE_FORCE_THRESHOLD: "5",
      }),
      startService("alerter", {
        ...common,
        SLACK_WEBHOOK_URLS: slack.url,
        ALERTER_GROUP_ID: `soc-alerter-${name}`,
        ALERTER_PORT: "0",
      }),
    );
    apiUrl = `http://127.0.0.1:${apiPort}`;
    await eventually(async () => expect((await fetch(`${apiUrl}/healthz`)).status).toBe(200), {
      timeoutMs: 60_000,
      intervalMs: 250,
    });
  }, 120_000);

  afterAll(async () => {
    await Promise.all(services.map((service) => service.stop()));
    await slack?.close();
    await store.dropIndices().catch(() => undefined);
    await store.close();
  });

  it("holds the request, the Kafka hops, the analysis, the bulk write and the Slack call, and the document names it", async () => {
    const attempt = "failed login attempt for user admin from 198.51.100.77";
    const post = (headers: Record<string, string> = {}) =>
      fetch(`${apiUrl}/logs`, {
        method: "POST",
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json", ...headers },
        body: JSON.stringify({ message: attempt }),
      });
    // Each caller sends its own trace context, which the pipeline continues. The worker reads the
    // partitions in parallel, so which of the five attempts completes the brute force is not fixed.
    const callers = Array.from({ length: 5 }, () => randomTraceparent());
    for (const caller of callers) expect((await post({ traceparent: caller.header })).status).toBe(200);

    await eventually(() => expect(slack.received).toHaveLength(1), { timeoutMs: 60_000, intervalMs: 200 });
    expect((slack.received[0] as { text: string }).text).toMatch(
      /brute-force attack detected\. 5 failed logins from 198\.51\.100\.77/,
    );

    // Every document carries the trace its log arrived in; the brute force's names the trace to read.
    const docs = await eventually(
      async () => {
        const found = await store.client.search<ProcessedLog>({ index: store.index, query: { match_all: {} } });
        expect(found.hits.hits).toHaveLength(5);
        return found.hits.hits.map((hit) => hit._source as ProcessedLog);
      },
      { timeoutMs: 20_000, intervalMs: 200 },
    );
    expect(docs.map((doc) => doc.trace?.id).sort()).toEqual(callers.map((caller) => caller.traceId).sort());
    const bruteForce = docs.find((doc) => doc.rule === "brute_force");
    expect(bruteForce).toMatchObject({ message: attempt, is_anomaly: true });
    const caller = callers.find((candidate) => candidate.traceId === bruteForce?.trace?.id);
    if (caller === undefined) throw new Error("the brute-force document names none of the callers' traces");

    // Every service exported its part of the same trace.
    const expected = [
      "soc-api POST /logs",
      `soc-api send ${topics.TOPIC_LOGS}`,
      `soc-worker process ${topics.TOPIC_LOGS}`,
      "soc-worker analyse",
      "soc-worker index processed_logs",
      `soc-worker send ${topics.TOPIC_HIGH_PRIORITY_ALERTS}`,
      `soc-alerter process ${topics.TOPIC_HIGH_PRIORITY_ALERTS}`,
      "soc-alerter POST",
    ];
    const tree = await eventually(
      async () => {
        const spans = spanTree(await fetchJaegerTrace(jaeger.query, caller.traceId));
        expect(spans.map((span) => `${span.service} ${span.operation}`).sort()).toEqual([...expected].sort());
        return spans;
      },
      { timeoutMs: 30_000, intervalMs: 500 },
    );

    const one = (service: string, operation: string) => {
      const span = tree.find((candidate) => candidate.service === service && candidate.operation === operation);
      if (span === undefined) throw new Error(`no ${service} ${operation} span`);
      return span;
    };
    const request = one("soc-api", "POST /logs");
    const sendLog = one("soc-api", `send ${topics.TOPIC_LOGS}`);
    const processLog = one("soc-worker", `process ${topics.TOPIC_LOGS}`);
    const sendAlert = one("soc-worker", `send ${topics.TOPIC_HIGH_PRIORITY_ALERTS}`);
    const processAlert = one("soc-alerter", `process ${topics.TOPIC_HIGH_PRIORITY_ALERTS}`);
    const slackCall = one("soc-alerter", "POST");

    // Parent of each hop, as Jaeger shows it: the caller's span, then one chain to the Slack call.
    expect(request.parentSpanId).toBe(caller.spanId);
    expect(request).toMatchObject({
      kind: "server",
      tags: { "http.route": "/logs", "http.request.method": "POST", "http.response.status_code": 200 },
    });
    expect(sendLog).toMatchObject({
      parentSpanId: request.spanId,
      kind: "producer",
      tags: { "messaging.system": "kafka", "messaging.destination.name": topics.TOPIC_LOGS },
    });
    expect(processLog).toMatchObject({
      parentSpanId: sendLog.spanId,
      kind: "consumer",
      tags: { "messaging.consumer.group.name": `soc-worker-${name}`, "soc.rule": "brute_force" },
    });
    expect(one("soc-worker", "analyse").parentSpanId).toBe(processLog.spanId);
    expect(one("soc-worker", "index processed_logs")).toMatchObject({
      parentSpanId: processLog.spanId,
      tags: { "db.system.name": "elasticsearch", "db.operation.name": "bulk" },
    });
    expect(sendAlert).toMatchObject({ parentSpanId: processLog.spanId, kind: "producer" });
    expect(processAlert).toMatchObject({ parentSpanId: sendAlert.spanId, kind: "consumer" });
    expect(slackCall).toMatchObject({
      parentSpanId: processAlert.spanId,
      kind: "client",
      tags: { "http.response.status_code": 200, "server.address": "127.0.0.1" },
    });
    // The webhook URL is a secret: no span may hold it.
    expect(JSON.stringify(tree)).not.toContain("XXXXSECRETTOKEN");
  }, 120_000);
});
