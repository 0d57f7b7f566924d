/**
 * What a pipeline's author is told about a failed Kafka step, in status and Events. The operator
 * connects from its own network position: telling "connection refused" from "timed out" or "TLS
 * handshake failed" would make it a port scanner for anyone who can write a SocPipeline. Failures
 * before a Kafka broker answered are therefore one generic message; the broker's own answers
 * (authentication, ACLs) are named, since fixing them is the author's job. The detail goes to the
 * operator's log only. Pure.
 */
export type KafkaProblemReason =
  | "BrokerNotAllowed"
  | "CredentialsRequired"
  | "CredentialsNotFound"
  | "AuthenticationFailed"
  | "NotAuthorized"
  | "KafkaUnreachable";

export interface KafkaProblem {
  reason: KafkaProblemReason;
  message: string;
  /** Only a change of the spec (which brings a reconcile) or of the operator's settings can help: no retries. */
  permanent: boolean;
}

/** Refused by the operator itself, before any connection. */
export class KafkaAccessRefused extends Error {
  override readonly name = "KafkaAccessRefused";
  constructor(
    readonly reason: Extract<KafkaProblemReason, "BrokerNotAllowed" | "CredentialsRequired" | "CredentialsNotFound">,
    message: string,
  ) {
    super(message);
  }
}

interface ErrorShape {
  name?: unknown;
  type?: unknown;
  cause?: unknown;
  originalError?: unknown;
  errors?: unknown;
}

/** The error and every error it wraps (kafkajs nests them in cause, originalError and errors). */
function* chain(error: unknown, depth = 0): Generator<ErrorShape> {
  if (typeof error !== "object" || error === null || depth > 8) return;
  const shape = error as ErrorShape;
  yield shape;
  if (shape.cause !== error) yield* chain(shape.cause, depth + 1);
  if (shape.originalError !== error) yield* chain(shape.originalError, depth + 1);
  if (Array.isArray(shape.errors)) for (const inner of shape.errors) yield* chain(inner, depth + 1);
}

/** `principal`: who the operator connected as, e.g. "User:pipeline-a" (never a secret). */
export function kafkaProblem(error: unknown, principal: string): KafkaProblem {
  // A missing Secret may be created any time, and no watch on Secrets would tell: retried.
  if (error instanceof KafkaAccessRefused)
    return { reason: error.reason, message: error.message, permanent: error.reason !== "CredentialsNotFound" };
  for (const shape of chain(error)) {
    if (shape.name === "KafkaJSSASLAuthenticationError") {
      return {
        reason: "AuthenticationFailed",
        message: `Kafka refused the SASL credentials of ${principal}: check spec.kafka.sasl and its Secret`,
        permanent: false,
      };
    }
    if (typeof shape.type === "string" && shape.type.endsWith("_AUTHORIZATION_FAILED")) {
      return {
        reason: "NotAuthorized",
        message: `Kafka's ACLs refused ${principal} (${shape.type}): it needs the operator's ACLs on this pipeline's topics and groups (docs/kubernetes.md, "Kafka principals")`,
        permanent: false,
      };
    }
  }
  return {
    reason: "KafkaUnreachable",
    message:
      "could not complete the request to the Kafka brokers of spec.kafka.brokers (the operator's log has the cause)",
    permanent: false,
  };
}
