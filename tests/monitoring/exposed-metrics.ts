/**
 * The series the pipeline really exposes, with their label names: each service is built in-process
 * through its own factory (the code its main runs) and its registry read, the API's through its
 * /metrics endpoint; Prometheus and the charts' monitors add the target labels.
 */
import { TEST_KEYS, startTestApi } from "@soc/api/testing";
import { createAlerter, createMemoryDeliveryLog } from "@soc/alerter";
import { collectorMetrics } from "@soc/collector-framework";
import { silentLogger } from "@soc/shared";
import { createMemoryBus, createMemoryCounters, createMemoryStore } from "@soc/shared/memory";
import { createRegistry, type Registry } from "@soc/shared/telemetry";
import { createWorker, detectionConfigOf, parseWorkerEnv } from "@soc/worker";
import { createOperatorMetrics } from "../../operator/src/metrics.ts";

/** Labels every scraped series gets from Prometheus and the PodMonitor/ServiceMonitor relabelings. */
export const TARGET_LABELS = [
  "namespace",
  "pod",
  "container",
  "endpoint",
  "job",
  "instance",
  "service",
  "pipeline",
  "component",
];

/** Series name → its label names. */
export type ExposedSeries = Map<string, Set<string>>;

/** A registry's series: a histogram's _bucket (with le), _sum and _count; a counter's and a gauge's own name. */
function seriesOf(registry: Registry, into: ExposedSeries): void {
  for (const metric of registry.getMetricsAsArray()) {
    // prom-client keeps the declared label names on the metric object; its types leave them out.
    const declared = (metric as { labelNames?: unknown }).labelNames;
    const labels = Array.isArray(declared) ? declared.filter((l): l is string => typeof l === "string") : [];
    // Declared as an enum, but prom-client sets the exposition's type name ("histogram").
    const type = String(metric.type);
    const names =
      type === "histogram"
        ? [`${metric.name}_bucket`, `${metric.name}_sum`, `${metric.name}_count`]
        : type === "summary"
          ? [metric.name, `${metric.name}_sum`, `${metric.name}_count`]
          : [metric.name];
    for (const name of names) {
      const own = name.endsWith("_bucket")
        ? [...labels, "le"]
        : type === "summary" && name === metric.name
          ? [...labels, "quantile"]
          : labels;
      into.set(name, new Set([...(into.get(name) ?? []), ...own, ...TARGET_LABELS]));
    }
  }
}

export async function exposedSeries(): Promise<ExposedSeries> {
  const series: ExposedSeries = new Map();
  const logger = silentLogger();

  // The API over HTTP, as Prometheus scrapes it (with a read key); a POST /logs first, so its
  // request series exists with the route label the rules select.
  const api = await startTestApi({ registry: createRegistry("api") });
  try {
    const posted = await api.request("/logs", {
      method: "POST",
      key: "ingest",
      body: JSON.stringify({ message: "metrics inventory" }),
    });
    if (posted.status !== 200) throw new Error(`POST /logs answered ${posted.status}`);
    const scraped = await fetch(`${api.url}/metrics`, { headers: { authorization: `Bearer ${TEST_KEYS.read}` } });
    if (scraped.status !== 200) throw new Error(`GET /metrics answered ${scraped.status}`);
    const text = await scraped.text();
    if (!/^http_request_duration_seconds_count\{[^}]*route="\/logs"/m.test(text))
      throw new Error("the API's /metrics has no POST /logs series");
    seriesOf(api.deps.registry, series);
  } finally {
    await api.close();
  }

  const worker = createRegistry("worker");
  createWorker({
    bus: createMemoryBus(),
    store: createMemoryStore(),
    counters: createMemoryCounters(),
    detection: detectionConfigOf(
      parseWorkerEnv({
        KAFKA_BROKER: "kafka:9092",
        ELASTICSEARCH_URL: "http://elasticsearch:9200",
        REDIS_URL: "redis://redis:6379",
      }),
    ),
    whitelistSeed: [],
    logger,
    registry: worker,
  });
  seriesOf(worker, series);

  const alerter = createRegistry("alerter");
  createAlerter({
    bus: createMemoryBus(),
    channels: [],
    deliveryLog: createMemoryDeliveryLog(),
    dedupWindowSeconds: 600,
    dashboardUrl: "http://localhost:3000",
    logger,
    registry: alerter,
  });
  seriesOf(alerter, series);

  const collector = createRegistry("collector-postgres");
  collectorMetrics(collector);
  seriesOf(collector, series);

  seriesOf(createOperatorMetrics().registry, series);
  return series;
}
