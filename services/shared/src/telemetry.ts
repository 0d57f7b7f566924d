// Metrics (prom-client), tracing (OpenTelemetry; the SDK loads only when an OTLP endpoint is set) and
// the ops server with its /healthz, /readyz and /metrics.
export * from "./telemetry/metrics.ts";
export * from "./telemetry/tracing.ts";
export * from "./telemetry/messaging.ts";
export * from "./telemetry/http.ts";
export * from "./telemetry/ops-server.ts";
export * from "./telemetry/dependency-checks.ts";
