/**
 * Spans of the message bus, after the OpenTelemetry messaging semantic conventions. A publish is a
 * PRODUCER `send <topic>` span whose context every message carries in its headers (its creation
 * context); consuming one message is a CONSUMER `process <topic>` span, child of that context, so one
 * trace follows a log from the HTTP request through every service it reaches. messaging.system is
 * "kafka" for both adapters: the in-memory bus is Kafka's embedded stand-in (partitions, offsets, groups).
 */
import {
  context,
  isSpanContextValid,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Link,
  type Span,
} from "@opentelemetry/api";
import type { IncomingMessage, OutgoingMessage } from "../bus/bus.ts";
import { recordFailure } from "./tracing.ts";

const tracerOf = () => trace.getTracer("soc-bus");

export const MESSAGING = {
  system: "messaging.system",
  destination: "messaging.destination.name",
  operationType: "messaging.operation.type",
  operationName: "messaging.operation.name",
  batchCount: "messaging.batch.message_count",
  consumerGroup: "messaging.consumer.group.name",
  partition: "messaging.destination.partition.id",
  offset: "messaging.kafka.offset",
  key: "messaging.kafka.message.key",
} as const;

/** The trace context a message was created in, or none. */
function creationContext(headers: Record<string, string> | undefined) {
  if (headers?.traceparent === undefined) return undefined;
  return trace.getSpanContext(propagation.extract(ROOT_CONTEXT, headers));
}

/**
 * Publishes in a `send <topic>` span and gives every message that span's context as its creation
 * context. A context a message already carried (a dead letter keeps its original's headers) becomes
 * a link of the span, so the original trace stays one click away.
 */
export async function sendTraced(
  topic: string,
  messages: OutgoingMessage[],
  send: (messages: OutgoingMessage[]) => Promise<void>,
): Promise<void> {
  const links: Link[] = messages.slice(0, 128).flatMap((message) => {
    const carried = creationContext(message.headers);
    return carried === undefined ? [] : [{ context: carried }];
  });
  const attributes: Attributes = {
    [MESSAGING.system]: "kafka",
    [MESSAGING.destination]: topic,
    [MESSAGING.operationType]: "send",
    [MESSAGING.operationName]: "send",
    ...(messages.length > 1 ? { [MESSAGING.batchCount]: messages.length } : {}),
  };
  await tracerOf().startActiveSpan(`send ${topic}`, { kind: SpanKind.PRODUCER, attributes, links }, async (span) => {
    const active = context.active();
    // Without a trace (no SDK, no caller's context) a message keeps whatever context it carried.
    const stamped = !isSpanContextValid(span.spanContext())
      ? messages
      : messages.map((message) => {
          const headers = { ...message.headers };
          delete headers.traceparent;
          delete headers.tracestate;
          propagation.inject(active, headers);
          return { ...message, headers };
        });
    try {
      await send(stamped);
    } catch (error) {
      recordFailure(span, error);
      throw error;
    } finally {
      span.end();
    }
  });
}

/**
 * Starts the `process <topic>` span of one consumed message, child of its creation context (a new
 * trace when it carried none). The caller ends it, and runs the message's work `withinSpan`.
 */
export function startProcessSpan(message: IncomingMessage, consumerGroup: string): Span {
  const carried = creationContext(message.headers);
  const parent = carried === undefined ? ROOT_CONTEXT : trace.setSpanContext(ROOT_CONTEXT, carried);
  return tracerOf().startSpan(
    `process ${message.topic}`,
    {
      kind: SpanKind.CONSUMER,
      attributes: {
        [MESSAGING.system]: "kafka",
        [MESSAGING.destination]: message.topic,
        [MESSAGING.operationType]: "process",
        [MESSAGING.operationName]: "process",
        [MESSAGING.consumerGroup]: consumerGroup,
        [MESSAGING.partition]: String(message.partition),
        [MESSAGING.offset]: Number(message.offset),
        ...(message.key !== null ? { [MESSAGING.key]: message.key } : {}),
      },
    },
    parent,
  );
}

/** Marks a message's span: it could not be decoded and went to the dead-letter topic. */
export function markDeadLettered(span: Span, reason: string): void {
  span.setAttribute("error.type", "malformed_message");
  span.setStatus({ code: SpanStatusCode.ERROR, message: `dead-lettered: ${reason}` });
}

/** Runs a message's work (its child spans, its publishes) in the message's span. */
export function withinSpan<T>(span: Span, work: () => T): T {
  return context.with(trace.setSpan(context.active(), span), work);
}
