import { ApiException } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { KubeApiError } from "./client.ts";
import { isTransient, parseRetryAfter, retryAfterMs } from "./transient.ts";

/** A Status body as kube-apiserver v1.34 writes it (apimachinery's errors.New… constructors). */
const status = (code: number, reason: string, message: string, retryAfterSeconds?: number): string =>
  JSON.stringify({
    kind: "Status",
    apiVersion: "v1",
    metadata: {},
    status: "Failure",
    message,
    ...(reason === "" ? {} : { reason }),
    ...(retryAfterSeconds === undefined ? {} : { details: { retryAfterSeconds } }),
    code,
  });

/** What @kubernetes/client-node throws for a non-2xx answer: the body as text, headers lower-cased. */
const apiException = (
  code: number,
  body: string | undefined,
  headers: Record<string, string> = {},
): ApiException<unknown> =>
  new ApiException(code, "Unknown API Status Code!", body, { "content-type": "application/json", ...headers });

/** A Node socket error as node:net raises it. */
const socketError = (code: string, message: string): Error =>
  Object.assign(new Error(message), { code, errno: -1, syscall: "connect" });

describe("isTransient", () => {
  it.each([
    // kube-apiserver's answers while it, its caches or etcd are not ready.
    [
      "429 storage is (re)initializing (cacher not ready, v1.34)",
      apiException(429, status(429, "TooManyRequests", "storage is (re)initializing", 1), { "retry-after": "1" }),
    ],
    [
      "503 storage is (re)initializing (cacher still waiting)",
      apiException(503, status(503, "ServiceUnavailable", "storage is (re)initializing")),
    ],
    [
      "500 storage is (re)initializing (older servers)",
      apiException(500, status(500, "InternalError", "Internal error occurred: storage is (re)initializing")),
    ],
    [
      "503 the server is currently unable to handle the request",
      apiException(503, status(503, "ServiceUnavailable", "the server is currently unable to handle the request")),
    ],
    ["500 etcdserver: leader changed", apiException(500, status(500, "", "etcdserver: leader changed"))],
    ["500 etcdserver: request timed out", apiException(500, status(500, "", "etcdserver: request timed out"))],
    [
      "500 resource quota evaluation timed out",
      apiException(500, status(500, "InternalError", "Internal error occurred: resource quota evaluation timed out")),
    ],
    [
      "500 ServerTimeout",
      apiException(
        500,
        status(
          500,
          "ServerTimeout",
          "The list operation against pods could not be completed at this time, please try again.",
          2,
        ),
      ),
    ],
    [
      "504 Timeout",
      apiException(
        504,
        status(
          504,
          "Timeout",
          "Timeout: request did not complete within requested timeout - context deadline exceeded",
        ),
      ),
    ],
    [
      "429 from priority and fairness (plain-text body)",
      apiException(429, "Too many requests, please try again later.\n", {
        "content-type": "text/plain; charset=utf-8",
        "retry-after": "1",
      }),
    ],
    [
      "429 while shutting down (plain-text body)",
      apiException(429, "The apiserver is shutting down, please try again later.\n", { "retry-after": "5" }),
    ],
    ["502 from a proxy in front of the API server", apiException(502, undefined)],
    // The operator's own client.
    [
      "KubeApiError 503",
      new KubeApiError(
        503,
        "ServiceUnavailable",
        "GET /apis/socpipeline.io/v1alpha1/ipwhitelists: storage is (re)initializing",
      ),
    ],
    [
      "KubeApiError 429 with Retry-After",
      new KubeApiError(429, "TooManyRequests", "GET /api/v1/pods: storage is (re)initializing", 1),
    ],
    [
      "KubeApiError 500 leader changed",
      new KubeApiError(500, "Unknown", "PATCH /apis/apps/v1/namespaces/a/deployments/b: etcdserver: leader changed"),
    ],
    // Sockets while the API server starts or drops connections.
    ["ECONNREFUSED", socketError("ECONNREFUSED", "connect ECONNREFUSED 127.0.0.1:6443")],
    ["ECONNRESET (socket hang up)", socketError("ECONNRESET", "socket hang up")],
    ["EPIPE", socketError("EPIPE", "write EPIPE")],
    [
      "node-fetch FetchError (client-node)",
      Object.assign(
        new Error("request to https://127.0.0.1:6443/api/v1/pods failed, reason: connect ECONNREFUSED 127.0.0.1:6443"),
        { name: "FetchError", type: "system", code: "ECONNREFUSED", errno: "ECONNREFUSED" },
      ),
    ],
    [
      "fetch failed with a reset cause",
      new TypeError("fetch failed", { cause: socketError("ECONNRESET", "read ECONNRESET") }),
    ],
    // kubectl's stderr, as the test harness sees it.
    ["kubectl: ServiceUnavailable", new Error("Error from server (ServiceUnavailable): storage is (re)initializing")],
    [
      "kubectl: TooManyRequests",
      new Error(
        "Error from server (TooManyRequests): the server has received too many requests and has asked us to try again later",
      ),
    ],
    [
      "kubectl: quota evaluation timed out",
      new Error(
        'Error from server (InternalError): error when creating "STDIN": Internal error occurred: resource quota evaluation timed out',
      ),
    ],
    ["kubectl: leader changed (no reason)", new Error("Error from server: etcdserver: leader changed")],
    [
      "kubectl: connection refused",
      new Error("The connection to the server 127.0.0.1:6443 was refused - did you specify the right host or port?"),
    ],
    [
      "kubectl: dial refused",
      new Error("Unable to connect to the server: dial tcp 127.0.0.1:6443: connect: connection refused"),
    ],
    [
      "kubectl: connection reset",
      new Error(
        "Unable to connect to the server: read tcp 127.0.0.1:50412->127.0.0.1:6443: read: connection reset by peer",
      ),
    ],
    ["kubectl: TLS handshake timeout", new Error("Unable to connect to the server: net/http: TLS handshake timeout")],
  ])("retries %s", (_, error) => {
    expect(isTransient(error)).toBe(true);
  });

  it.each([
    [
      "400 BadRequest",
      apiException(400, status(400, "BadRequest", "the server rejected our request for an unknown reason")),
    ],
    ["401 (client-node throws it without a body)", new ApiException(401, "Unauthorized", undefined, {})],
    [
      "403 Forbidden",
      apiException(
        403,
        status(
          403,
          "Forbidden",
          'secrets is forbidden: User "system:serviceaccount:a:soc-operator" cannot list resource "secrets"',
        ),
      ),
    ],
    ["404 NotFound", apiException(404, status(404, "NotFound", 'socpipelines.socpipeline.io "shop" not found'))],
    [
      "409 Conflict",
      apiException(
        409,
        status(
          409,
          "Conflict",
          'Operation cannot be fulfilled on leases.coordination.k8s.io "soc-operator": the object has been modified; please apply your changes to the latest version and try again',
        ),
      ),
    ],
    [
      "409 AlreadyExists",
      apiException(409, status(409, "AlreadyExists", 'leases.coordination.k8s.io "soc-operator" already exists')),
    ],
    ["410 Expired", apiException(410, status(410, "Expired", "too old resource version: 1 (42)"))],
    [
      "422 Invalid",
      apiException(
        422,
        status(
          422,
          "Invalid",
          'SocPipeline.socpipeline.io "p1" is invalid: spec.kafka.brokers[0]: Invalid value: "kafka"',
        ),
      ),
    ],
    [
      "500 that is a bug, not a passing state",
      apiException(
        500,
        status(
          500,
          "InternalError",
          'Internal error occurred: failed calling webhook "x.example.com": connection refused',
        ),
      ),
    ],
    [
      "KubeApiError 404",
      new KubeApiError(404, "NotFound", 'GET /api/v1/namespaces/a/configmaps/b: configmaps "b" not found'),
    ],
    [
      "KubeApiError 409",
      new KubeApiError(
        409,
        "Conflict",
        "PUT /apis/coordination.k8s.io/v1/namespaces/a/leases/b: the object has been modified; please apply your changes to the latest version and try again",
      ),
    ],
    ["KubeApiError 422", new KubeApiError(422, "Invalid", "PATCH …: spec.replicas: Invalid value: -1")],
    ["our own request timeout", new Error("GET /api/v1/pods: no answer within 15000 ms")],
    ["a name that does not resolve", socketError("ENOTFOUND", "getaddrinfo ENOTFOUND kubernetes.default.svc")],
    [
      "an untrusted certificate",
      Object.assign(new Error("self-signed certificate in certificate chain"), { code: "SELF_SIGNED_CERT_IN_CHAIN" }),
    ],
    ["kubectl: NotFound", new Error('Error from server (NotFound): socpipelines.socpipeline.io "shop" not found')],
    [
      'kubectl: Conflict ("try again" is not an invitation here)',
      new Error(
        'Error from server (Conflict): Operation cannot be fulfilled on socpipelines.socpipeline.io "shop": the object has been modified; please apply your changes to the latest version and try again',
      ),
    ],
    [
      "kubectl: Forbidden",
      new Error(
        'Error from server (Forbidden): secrets is forbidden: User "system:serviceaccount:a:soc-operator" cannot list resource "secrets" in API group "" in the namespace "a"',
      ),
    ],
    [
      "kubectl: Invalid",
      new Error('The SocPipeline "p1" is invalid: spec.kafka.brokers[0]: Invalid value: "kafka": must be host:port'),
    ],
    [
      "kubectl: a webhook down is not the API server starting",
      new Error(
        'Error from server (InternalError): Internal error occurred: failed calling webhook "x.example.com": connection refused',
      ),
    ],
    ["kubectl wait timing out", new Error("error: timed out waiting for the condition on socpipelines/shop")],
    [
      "kubectl: bad certificate",
      new Error(
        "Unable to connect to the server: tls: failed to verify certificate: x509: certificate signed by unknown authority",
      ),
    ],
    ["not an error at all", "boom"],
  ])("does not retry %s", (_, error) => {
    expect(isTransient(error)).toBe(false);
  });
});

describe("retryAfterMs", () => {
  it("reads the Retry-After header client-node keeps", () => {
    expect(
      retryAfterMs(
        apiException(429, status(429, "TooManyRequests", "storage is (re)initializing", 3), { "retry-after": "3" }),
      ),
    ).toBe(3_000);
  });

  it("reads the seconds the operator's client kept", () => {
    expect(retryAfterMs(new KubeApiError(429, "TooManyRequests", "throttled", 2))).toBe(2_000);
  });

  it("is undefined when the server asked nothing", () => {
    expect(
      retryAfterMs(apiException(503, status(503, "ServiceUnavailable", "storage is (re)initializing"))),
    ).toBeUndefined();
    expect(retryAfterMs(socketError("ECONNRESET", "socket hang up"))).toBeUndefined();
  });

  it.each([
    ["7", 7],
    [" 1 ", 1],
    ["Wed, 21 Oct 2015 07:28:00 GMT", undefined],
    ["-1", undefined],
    ["soon", undefined],
    [undefined, undefined],
  ])("parses Retry-After %j as %j seconds", (header, seconds) => {
    expect(parseRetryAfter(header)).toBe(seconds);
  });
});
