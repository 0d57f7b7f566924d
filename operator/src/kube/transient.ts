/**
 * Is a failed request/response call to the API server worth repeating unchanged? Yes when the
 * server, or the etcd behind it, is starting, overloaded or electing a leader. No for every answer
 * about the request itself (400, 403, 404, 409, 422…): conflicts are the reconciler's business.
 * Pure, and duck-typed over the shapes met in practice: the operator's KubeApiError,
 * @kubernetes/client-node's ApiException, Node's socket errors, and kubectl's stderr.
 */

/** "Not now", whatever the message: throttled (429), or nothing usable behind a proxy/aggregator. */
const TRANSIENT_STATUS = new Set([429, 502, 503, 504]);
/** The same answers when only the Status reason is known (kubectl prints it, not the code). */
const TRANSIENT_REASONS = new Set(["TooManyRequests", "ServiceUnavailable", "Timeout", "ServerTimeout"]);
/** A 500 is a bug unless it names a passing state: a cache warming up, an etcd election, a slow quota check. */
const TRANSIENT_MESSAGE =
  /storage is \(re\)initializing|the server is currently unable to handle the request|etcdserver: (leader changed|no leader|request timed out)|resource quota evaluation timed out/;
/** Socket failures while the API server starts, restarts or drops a connection. */
const TRANSIENT_ERRNO = new Set(["ECONNREFUSED", "ECONNRESET", "EPIPE", "ETIMEDOUT", "EAI_AGAIN"]);
/** The same failures as kubectl words them. */
const TRANSIENT_NETWORK_TEXT =
  /connection refused|connection to the server \S+ was refused|connection reset by peer|broken pipe|TLS handshake timeout/;

/** What classifies a failure, whichever client produced it. */
interface Failure {
  status?: number;
  reason?: string;
  message: string;
  errno?: string;
  retryAfterSeconds?: number;
}

type Fields = Record<string, unknown>;
const isObject = (value: unknown): value is Fields => typeof value === "object" && value !== null;

/** Retry-After in its delta-seconds form (the only one the API server sends); anything else is ignored. */
export function parseRetryAfter(value: unknown): number | undefined {
  return typeof value === "string" && /^\s*\d+\s*$/.test(value) ? Number(value) : undefined;
}

/** ApiException's body is the Status as text (or already parsed); anything else has no Status. */
function statusBody(body: unknown): Fields {
  if (isObject(body)) return body;
  if (typeof body !== "string") return {};
  try {
    const parsed: unknown = JSON.parse(body);
    return isObject(parsed) ? parsed : {};
  } catch {
    return {};
  }
}

/** The first errno on the error or its causes (fetch wraps socket errors one level down). */
function errnoOf(error: Fields): string | undefined {
  if (typeof error.code === "string") return error.code;
  return isObject(error.cause) ? errnoOf(error.cause) : undefined;
}

function failure(error: unknown): Failure {
  if (!isObject(error)) return { message: String(error) };
  const message = typeof error.message === "string" ? error.message : "";
  // KubeApiError: statusCode, reason and retryAfterSeconds of its own.
  if (typeof error.statusCode === "number") {
    return {
      status: error.statusCode,
      reason: typeof error.reason === "string" ? error.reason : undefined,
      message,
      retryAfterSeconds: typeof error.retryAfterSeconds === "number" ? error.retryAfterSeconds : undefined,
    };
  }
  // ApiException: numeric code, the Status as body, lower-cased response headers.
  if (typeof error.code === "number") {
    const status = statusBody(error.body);
    const headers = isObject(error.headers) ? error.headers : {};
    return {
      status: error.code,
      reason: typeof status.reason === "string" ? status.reason : undefined,
      message: typeof status.message === "string" ? status.message : message,
      retryAfterSeconds: parseRetryAfter(headers["retry-after"]),
    };
  }
  // kubectl: "Error from server (ServiceUnavailable): …" carries the reason but not the code.
  return { reason: /Error from server \((\w+)\)/.exec(message)?.[1], message, errno: errnoOf(error) };
}

/** True for a failure that the same request may not meet again shortly. */
export function isTransient(error: unknown): boolean {
  const { status, reason, message, errno } = failure(error);
  if (status !== undefined)
    return (
      TRANSIENT_STATUS.has(status) ||
      (status === 500 && (reason === "ServerTimeout" || TRANSIENT_MESSAGE.test(message)))
    );
  if (reason !== undefined)
    return TRANSIENT_REASONS.has(reason) || (reason === "InternalError" && TRANSIENT_MESSAGE.test(message));
  return (
    (errno !== undefined && TRANSIENT_ERRNO.has(errno)) ||
    TRANSIENT_MESSAGE.test(message) ||
    TRANSIENT_NETWORK_TEXT.test(message)
  );
}

/** How long the server asked us to wait (Retry-After), when it did. */
export function retryAfterMs(error: unknown): number | undefined {
  const seconds = failure(error).retryAfterSeconds;
  return seconds === undefined ? undefined : seconds * 1000;
}
