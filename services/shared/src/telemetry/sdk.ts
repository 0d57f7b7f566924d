/**
 * The OpenTelemetry SDK with an OTLP/HTTP trace exporter. Imported only by startTracing
 * (tracing.ts), and only when an endpoint is configured.
 */
import { parseKeyPairsIntoRecord, W3CTraceContextPropagator } from "@opentelemetry/core";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { NodeSDK } from "@opentelemetry/sdk-node";
import type { Secret } from "../config.ts";

export function startSdk(service: string, otlpEndpoint: string, otlpHeaders: Secret | undefined): NodeSDK {
  const sdk = new NodeSDK({
    // OTEL_SERVICE_NAME (set by the operator) names the service when present.
    ...(process.env.OTEL_SERVICE_NAME ? {} : { serviceName: service }),
    traceExporter: new OTLPTraceExporter({
      url: new URL("v1/traces", otlpEndpoint.endsWith("/") ? otlpEndpoint : `${otlpEndpoint}/`).href,
      ...(otlpHeaders !== undefined ? { headers: parseKeyPairsIntoRecord(otlpHeaders.reveal()) } : {}),
    }),
    textMapPropagator: new W3CTraceContextPropagator(),
    // Traces only: metrics stay on prom-client's /metrics, logs on stdout.
    metricReaders: [],
    logRecordProcessors: [],
    // Spans are made by the pipeline's own code (HTTP server and client, bus, worker, alerter) and
    // by the Elasticsearch client, not by patching modules, which ESM loaded first would escape.
    instrumentations: [],
  });
  sdk.start();
  return sdk;
}
