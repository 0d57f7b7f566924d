/**
 * OpenTelemetry traces. W3C trace context always travels (HTTP headers in, Kafka headers out and in),
 * so a trace begun upstream continues through a service that exports nothing. The SDK and its OTLP
 * exporter are loaded (dynamic import) only when OTEL_EXPORTER_OTLP_ENDPOINT is set: without it a
 * service carries no SDK and every span is a no-op.
 */
import { context, propagation, SpanStatusCode, trace, type Span } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { suppressTracing, W3CTraceContextPropagator } from "@opentelemetry/core";
import { z } from "zod";
import { secretString, type Secret } from "../config.ts";

/** The service setting, spread into each service's configuration schema. */
export const tracingEnvShape = {
  /** OTLP/HTTP base URL (traces go to <url>/v1/traces); unset or blank: no SDK, context still propagates. */
  OTEL_EXPORTER_OTLP_ENDPOINT: z
    .string()
    .trim()
    .optional()
    .transform((value) => (value === "" ? undefined : value))
    .pipe(
      z
        .url({
          protocol: /^https?$/,
          error: "expected the http(s) URL of an OTLP/HTTP receiver, e.g. http://otel-collector:4318",
        })
        .optional(),
    ),
  /** Headers sent with every export (an API token): `key=value,key2=value2`; secret, so usually OTEL_EXPORTER_OTLP_HEADERS_FILE. */
  OTEL_EXPORTER_OTLP_HEADERS: z
    .string()
    .trim()
    .regex(/^[^=,\s]+=[^,]*(,\s*[^=,\s]+=[^,]*)*$/, "expected key=value pairs separated by commas")
    .pipe(secretString)
    .optional(),
  // Read by the SDK itself; named here so a typo stops the service at start-up instead of being ignored.
  OTEL_SERVICE_NAME: z.string().min(1).max(256).optional(),
  OTEL_TRACES_SAMPLER: z
    .enum([
      "always_on",
      "always_off",
      "traceidratio",
      "parentbased_always_on",
      "parentbased_always_off",
      "parentbased_traceidratio",
    ])
    .optional(),
  OTEL_TRACES_SAMPLER_ARG: z.coerce.number().min(0).max(1).optional(),
  OTEL_RESOURCE_ATTRIBUTES: z
    .string()
    .regex(/^([^=,]+=[^,]*)(,[^=,]+=[^,]*)*$/, "expected key=value pairs separated by commas")
    .optional(),
};

export interface TracingHandle {
  /** Resolves once spans are recorded and exported (at once without an endpoint): await it before taking work. */
  ready: Promise<void>;
  /** Exports the spans still buffered, then stops. */
  shutdown(): Promise<void>;
}

let current: TracingHandle | null = null;

/**
 * Starts tracing for the process (once; later calls get the first handle). `service` is the
 * service.name unless OTEL_SERVICE_NAME says otherwise; the SDK also reads the standard
 * OTEL_TRACES_SAMPLER(_ARG), OTEL_BSP_* and OTEL_RESOURCE_ATTRIBUTES.
 */
export function startTracing(service: string, otlpEndpoint: string | undefined, otlpHeaders?: Secret): TracingHandle {
  if (current !== null) return current;
  if (otlpEndpoint === undefined || otlpEndpoint === "") {
    // No SDK: a context manager and the W3C propagator are all that continuing a trace needs.
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    current = { ready: Promise.resolve(), shutdown: async () => {} };
    return current;
  }
  const sdk = import("./sdk.ts").then(({ startSdk }) => startSdk(service, otlpEndpoint, otlpHeaders));
  current = {
    ready: sdk.then(() => undefined),
    shutdown: async () => (await sdk).shutdown(),
  };
  return current;
}

/** Marks a span failed, with the error as an exception event. */
export function recordFailure(span: Span, error: unknown): void {
  span.recordException(error instanceof Error ? error : String(error));
  span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
}

/** Runs work that makes no spans of its own (its libraries' included): for a step a span of ours already stands for. */
export function withoutSpans<T>(work: () => T): T {
  return context.with(suppressTracing(context.active()), work);
}

/** Runs a unit of work that no request or message starts (a scheduled report, a scan) as the root span of its trace. */
export async function withSpan<T>(name: string, work: () => Promise<T>): Promise<T> {
  return trace.getTracer("soc").startActiveSpan(name, async (span) => {
    try {
      return await work();
    } catch (error) {
      recordFailure(span, error);
      throw error;
    } finally {
      span.end();
    }
  });
}
