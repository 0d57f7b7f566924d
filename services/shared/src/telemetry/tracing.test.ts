import { context, propagation, ROOT_CONTEXT, trace } from "@opentelemetry/api";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import type { IncomingMessage } from "../bus/bus.ts";
import { createMemoryBus } from "../bus/memory-bus.ts";
import { parseConfig } from "../config.ts";
import { startProcessSpan } from "./messaging.ts";
import { startTracing, tracingEnvShape } from "./tracing.ts";

const parse = (env: Record<string, string>) => parseConfig(z.object(tracingEnvShape), env);

describe("tracing without an OTLP endpoint", () => {
  const handle = startTracing("soc-test", undefined);

  it("records nothing: no SDK is loaded, every span is a no-op", async () => {
    await handle.ready;
    const span = trace.getTracer("test").startSpan("anything");
    expect(span.isRecording()).toBe(false);
    expect(span.spanContext().traceId).toBe("00000000000000000000000000000000");
  });

  it("still carries a caller's trace through the bus, so a service downstream can continue it", async () => {
    const caller = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    const bus = createMemoryBus();
    await context.with(propagation.extract(ROOT_CONTEXT, { traceparent: caller }), () =>
      bus.publish("logs", [{ value: "{}" }]),
    );
    const messages: IncomingMessage[] = [];
    await (await bus.follow("logs", (message) => messages.push(message))).stop();
    expect(messages[0]?.headers.traceparent).toBe(caller);
    // The consumer's (non-recording) span keeps that trace id: the worker stores it on the document.
    expect(startProcessSpan(messages[0] as IncomingMessage, "soc-worker").spanContext().traceId).toBe(
      "0af7651916cd43dd8448eb211c80319c",
    );
  });

  it("sends a message that carried a context (a dead letter) with it unchanged", async () => {
    const original = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    const bus = createMemoryBus();
    await bus.publish("logs-dlq", [{ value: "x", headers: { traceparent: original } }]);
    const messages: IncomingMessage[] = [];
    await (await bus.follow("logs-dlq", (message) => messages.push(message))).stop();
    expect(messages[0]?.headers.traceparent).toBe(original);
  });

  it("is started once per process: a second call gets the first handle", () => {
    expect(startTracing("other", "http://127.0.0.1:4318")).toBe(handle);
  });
});

describe("the tracing settings", () => {
  it("treat a blank endpoint as none and accept an OTLP/HTTP URL", () => {
    expect(parse({ OTEL_EXPORTER_OTLP_ENDPOINT: " " }).OTEL_EXPORTER_OTLP_ENDPOINT).toBeUndefined();
    expect(parse({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://otel-collector:4318" }).OTEL_EXPORTER_OTLP_ENDPOINT).toBe(
      "http://otel-collector:4318",
    );
  });

  it.each([
    [
      "OTEL_EXPORTER_OTLP_ENDPOINT",
      "otel-collector:4317",
      "OTEL_EXPORTER_OTLP_ENDPOINT: expected the http(s) URL of an OTLP/HTTP receiver",
    ],
    [
      "OTEL_EXPORTER_OTLP_HEADERS",
      "Bearer abc",
      "OTEL_EXPORTER_OTLP_HEADERS: expected key=value pairs separated by commas",
    ],
    ["OTEL_TRACES_SAMPLER", "ratio", "OTEL_TRACES_SAMPLER"],
    ["OTEL_TRACES_SAMPLER_ARG", "2", "OTEL_TRACES_SAMPLER_ARG"],
  ])("name %s when its value is wrong", (name, value, message) => {
    expect(() => parse({ [name]: value })).toThrow(message);
  });

  it("keep the export headers secret", () => {
    const headers = parse({
      OTEL_EXPORTER_OTLP_HEADERS: "authorization=Bearer abc,x-team=soc",
    }).OTEL_EXPORTER_OTLP_HEADERS;
    expect(JSON.stringify(headers)).not.toContain("abc");
    expect(headers?.reveal()).toBe("authorization=Bearer abc,x-team=soc");
  });
});
