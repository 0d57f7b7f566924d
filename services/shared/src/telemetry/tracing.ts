/**
 * OpenTelemetry traces. The SDK starts only when OTEL_EXPORTER_OTLP_ENDPOINT is configured
 * (read by main and passed in); trace context travels from API to worker in Kafka headers.
 */
import { context, propagation, trace, type Context, type Tracer } from "@opentelemetry/api";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { NodeSDK } from "@opentelemetry/sdk-node";

export interface TracingHandle {
  shutdown(): Promise<void>;
}

export function startTracing(service: string, otlpEndpoint: string | undefined): TracingHandle {
  // Without an exporter we still propagate W3C context so a downstream service can continue it.
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  if (otlpEndpoint === undefined || otlpEndpoint === "") return { shutdown: async () => {} };
  const sdk = new NodeSDK({
    serviceName: service,
    traceExporter: new OTLPTraceExporter({ url: `${otlpEndpoint.replace(/\/$/, "")}/v1/traces` }),
    instrumentations: [],
  });
  sdk.start();
  return { shutdown: () => sdk.shutdown() };
}

export function tracer(service: string): Tracer {
  return trace.getTracer(service);
}

/** Writes the active trace context into message headers (traceparent, tracestate). */
export function injectTraceHeaders(headers: Record<string, string> = {}, from: Context = context.active()): Record<string, string> {
  propagation.inject(from, headers);
  return headers;
}

/** Reads a trace context from message headers, to continue the producer's trace. */
export function extractTraceContext(headers: Record<string, string>): Context {
  return propagation.extract(context.active(), headers);
}
