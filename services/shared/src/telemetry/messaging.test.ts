import { SpanKind, trace } from "@opentelemetry/api";
import { describe, expect, it } from "vitest";
import type { IncomingMessage } from "../bus/bus.ts";
import { createMemoryBus } from "../bus/memory-bus.ts";
import { startProcessSpan, withinSpan } from "./messaging.ts";
import { recordSpans } from "./record-spans.ts";

const recorded = recordSpans();
const tracer = trace.getTracer("test");
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-01$/;

async function published(bus: ReturnType<typeof createMemoryBus>, topic: string): Promise<IncomingMessage[]> {
  const messages: IncomingMessage[] = [];
  await (await bus.follow(topic, (message) => messages.push(message))).stop();
  return messages;
}

describe("bus spans", () => {
  it("sends in a PRODUCER span, child of the caller's, and every message carries that span as its creation context", async () => {
    const bus = createMemoryBus();
    await tracer.startActiveSpan("request", async (request) => {
      await bus.publish("logs", [{ value: "a" }, { value: "b" }]);
      request.end();
    });
    const send = await recorded.one("send logs");
    expect(send.kind).toBe(SpanKind.PRODUCER);
    expect(send.parentSpanContext?.spanId).toBe((await recorded.one("request")).spanContext().spanId);
    expect(send.attributes).toMatchObject({
      "messaging.system": "kafka",
      "messaging.destination.name": "logs",
      "messaging.operation.type": "send",
      "messaging.batch.message_count": 2,
    });
    for (const message of await published(bus, "logs")) {
      const [, traceId, spanId] = TRACEPARENT.exec(message.headers.traceparent ?? "") ?? [];
      expect({ traceId, spanId }).toEqual({ traceId: send.spanContext().traceId, spanId: send.spanContext().spanId });
    }
  });

  it("links a re-sent message (a dead letter) to the context it carried, and gives it the new send's", async () => {
    const bus = createMemoryBus();
    const original = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    await bus.publish("logs-dlq", [
      { value: "{not json", headers: { traceparent: original, "dlq-reason": "invalid JSON" } },
    ]);
    const send = await recorded.one("send logs-dlq");
    expect(send.links.map((link) => link.context.spanId)).toEqual(["b7ad6b7169203331"]);
    const [message] = await published(bus, "logs-dlq");
    expect(message?.headers).toMatchObject({
      "dlq-reason": "invalid JSON",
      traceparent: expect.stringContaining(send.spanContext().spanId),
    });
  });

  it("processes a message in a CONSUMER span, child of its creation context, whose work runs within it", async () => {
    const bus = createMemoryBus();
    await bus.publish("alerts", [{ key: "198.51.100.7", value: "{}" }]);
    const [message] = await published(bus, "alerts");
    const span = startProcessSpan(message as IncomingMessage, "soc-alerter");
    withinSpan(span, () => tracer.startSpan("deliver").end());
    span.end();
    const process = await recorded.one("process alerts");
    expect(process.kind).toBe(SpanKind.CONSUMER);
    expect(process.parentSpanContext?.spanId).toBe((await recorded.one("send alerts")).spanContext().spanId);
    expect(process.spanContext().traceId).toBe((await recorded.one("send alerts")).spanContext().traceId);
    expect(process.attributes).toMatchObject({
      "messaging.operation.type": "process",
      "messaging.consumer.group.name": "soc-alerter",
      "messaging.destination.partition.id": "0",
      "messaging.kafka.offset": 0,
      "messaging.kafka.message.key": "198.51.100.7",
    });
    expect((await recorded.one("deliver")).parentSpanContext?.spanId).toBe(process.spanContext().spanId);
  });

  it("starts a new trace for a message that carries no context", async () => {
    const message: IncomingMessage = {
      topic: "logs",
      partition: 2,
      offset: "7",
      key: null,
      value: "{}",
      headers: {},
      timestamp: 0,
    };
    startProcessSpan(message, "soc-worker").end();
    const process = (await recorded.spans()).find(
      (span) => span.name === "process logs" && span.attributes["messaging.kafka.offset"] === 7,
    );
    expect(process).toBeDefined();
    expect(process?.parentSpanContext).toBeUndefined();
  });
});
