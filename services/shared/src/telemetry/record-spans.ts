/** For tests: records every span of the process in memory, with the context manager and propagator the services use. */
import { context, propagation, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider, type ReadableSpan } from "@opentelemetry/sdk-trace";

export interface RecordedSpans {
  /** Every span ended so far. */
  spans(): Promise<ReadableSpan[]>;
  /** The one ended span of that name; rejects when there is none or several. */
  one(name: string): Promise<ReadableSpan>;
}

export function recordSpans(): RecordedSpans {
  const exporter = new InMemorySpanExporter();
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  trace.setGlobalTracerProvider(provider);
  // The processor hands ended spans to the exporter asynchronously.
  const spans = async (): Promise<ReadableSpan[]> => {
    await provider.forceFlush();
    return exporter.getFinishedSpans();
  };
  return {
    spans,
    async one(name) {
      const found = (await spans()).filter((span) => span.name === name);
      if (found.length !== 1)
        throw new Error(
          `expected one span named ${name}, found ${found.length}: ${(await spans()).map((span) => span.name).join(", ")}`,
        );
      return found[0] as ReadableSpan;
    },
  };
}
