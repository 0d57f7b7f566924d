/** The operator's client against a scripted loopback HTTP server: which answers it repeats. */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { KubeConfig } from "@kubernetes/client-node";
import { afterEach, describe, expect, it } from "vitest";
import { createKubeClient, KubeApiError } from "./client.ts";
import type { RetryPolicy } from "./retry.ts";

const fast: RetryPolicy = { initialDelayMs: 5, maxDelayMs: 20, deadlineMs: 1_000, maxRetryAfterMs: 50 };
const ref = { apiVersion: "v1", kind: "ConfigMap", namespace: "a", name: "b" };
const configMap = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "b", namespace: "a" } };

interface Answer {
  status: number;
  body: object;
  headers?: Record<string, string>;
}
const failure = (code: number, reason: string, message: string): object => ({
  kind: "Status",
  apiVersion: "v1",
  status: "Failure",
  reason,
  message,
  code,
});

let server: Server | null = null;
afterEach(async () => {
  await new Promise((resolve) => server?.close(resolve));
  server = null;
});

/** Serves `answers` in turn (200 with the ConfigMap afterwards); returns the request count. */
async function serve(...answers: Answer[]): Promise<{ url: string; requests: () => number }> {
  let requests = 0;
  server = createServer((_, response) => {
    const answer = answers[requests] ?? { status: 200, body: configMap };
    requests += 1;
    response
      .writeHead(answer.status, { "content-type": "application/json", ...answer.headers })
      .end(JSON.stringify(answer.body));
  });
  await new Promise<void>((resolve) => server?.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests: () => requests };
}

function clientFor(url: string) {
  const config = new KubeConfig();
  config.loadFromOptions({
    clusters: [{ name: "c", server: url, skipTLSVerify: true }],
    users: [{ name: "u" }],
    contexts: [{ name: "x", cluster: "c", user: "u" }],
    currentContext: "x",
  });
  return createKubeClient(config, fast);
}

describe("createKubeClient", () => {
  it("repeats a call while the API server's storage is (re)initializing", async () => {
    const { url, requests } = await serve(
      {
        status: 429,
        body: failure(429, "TooManyRequests", "storage is (re)initializing"),
        headers: { "retry-after": "1" },
      },
      { status: 503, body: failure(503, "ServiceUnavailable", "storage is (re)initializing") },
      { status: 500, body: failure(500, "", "etcdserver: leader changed") },
    );
    await expect(clientFor(url).get(ref)).resolves.toEqual(configMap);
    expect(requests()).toBe(4);
  });

  it("passes a conflict to the caller after one request", async () => {
    const { url, requests } = await serve({
      status: 409,
      body: failure(
        409,
        "Conflict",
        "the object has been modified; please apply your changes to the latest version and try again",
      ),
    });
    const error: unknown = await clientFor(url)
      .replace({ ...configMap, metadata: { ...configMap.metadata, resourceVersion: "1" } })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KubeApiError);
    expect(error).toMatchObject({ statusCode: 409, reason: "Conflict" });
    expect(requests()).toBe(1);
  });

  it("keeps the server's Retry-After on the error", async () => {
    const { url } = await serve({
      status: 403,
      body: failure(403, "Forbidden", "no"),
      headers: { "retry-after": "7" },
    });
    await expect(clientFor(url).list({ apiVersion: "v1", kind: "ConfigMap" })).rejects.toMatchObject({
      statusCode: 403,
      retryAfterSeconds: 7,
    });
  });

  it("repeats a refused connection until the deadline, then throws it", async () => {
    const { url } = await serve();
    await new Promise((resolve) => server?.close(resolve));
    const started = performance.now();
    await expect(clientFor(url).get(ref)).rejects.toMatchObject({ code: "ECONNREFUSED" });
    expect(performance.now() - started).toBeGreaterThan(fast.deadlineMs - fast.maxDelayMs - 100);
  });
});
