import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { SpanKind, SpanStatusCode } from "@opentelemetry/api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { traceHttpRequest, tracedFetch } from "./http.ts";
import { recordSpans } from "./record-spans.ts";

const recorded = recordSpans();
const CALLER = { traceId: "0af7651916cd43dd8448eb211c80319c", spanId: "b7ad6b7169203331" };

describe("HTTP spans", () => {
  let server: Server;
  let url: string;

  beforeAll(async () => {
    // A router stand-in: /things/<id> matches the route /things/:id, anything else no route.
    server = createServer((request, response) => {
      const route = request.url?.startsWith("/things/") ? "/things/:id" : undefined;
      void traceHttpRequest(
        request,
        response,
        async () => {
          // Work done while handling runs in the request's span: the client call below is its child.
          if (request.url?.endsWith("/call")) await tracedFetch(`${url}/healthz`, { method: "GET" });
          response.writeHead(request.url === "/boom" ? 500 : 200).end("{}");
        },
        () => route,
      );
    });
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => server.close());

  it("answers each request in a SERVER span named after its route, continuing the caller's trace", async () => {
    await fetch(`${url}/things/42?secret=1`, {
      method: "POST",
      headers: { traceparent: `00-${CALLER.traceId}-${CALLER.spanId}-01` },
    });
    const span = await eventuallyOne("POST /things/:id");
    expect(span.kind).toBe(SpanKind.SERVER);
    expect(span.spanContext().traceId).toBe(CALLER.traceId);
    expect(span.parentSpanContext?.spanId).toBe(CALLER.spanId);
    expect(span.attributes).toMatchObject({
      "http.request.method": "POST",
      "http.route": "/things/:id",
      "url.path": "/things/42",
      "http.response.status_code": 200,
    });
    // The query string is not recorded.
    expect(JSON.stringify(span.attributes)).not.toContain("secret");
  });

  it("marks a 5xx answer as an error and leaves probes untraced", async () => {
    await fetch(`${url}/boom`);
    await fetch(`${url}/healthz`);
    const span = await eventuallyOne("GET");
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(span.attributes).toMatchObject({ "http.response.status_code": 500, "error.type": "500" });
    expect((await recorded.spans()).some((candidate) => candidate.attributes["url.path"] === "/healthz")).toBe(false);
  });

  it("calls out in a CLIENT span that names the server, not the URL, and sends no trace context", async () => {
    await fetch(`${url}/things/7/call`);
    const server = await eventuallyOne("GET /things/:id");
    const client = (await recorded.spans()).find((span) => span.kind === SpanKind.CLIENT);
    expect(client?.parentSpanContext?.spanId).toBe(server.spanContext().spanId);
    expect(client?.attributes).toEqual({
      "http.request.method": "GET",
      "server.address": "127.0.0.1",
      "server.port": Number(new URL(url).port),
      "url.scheme": "http",
      "http.response.status_code": 200,
    });
  });
});

/** The span ends when the response closes, just after the client has read it. */
async function eventuallyOne(name: string) {
  for (let attempt = 0; ; attempt++) {
    try {
      return await recorded.one(name);
    } catch (error) {
      if (attempt > 50) throw error;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}
