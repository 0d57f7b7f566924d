/** /healthz, /readyz and /metrics for services without an HTTP API of their own. */
import { createServer, type Server } from "node:http";
import type { Registry } from "prom-client";

export function startOpsServer(options: { port: number; registry: Registry; ready: () => Promise<void> }): Server {
  return createServer((request, response) => {
    const reply = (status: number, body: string, type = "application/json"): void => {
      response.writeHead(status, { "content-type": type }).end(body);
    };
    if (request.url === "/healthz") return reply(200, '{"status":"ok"}');
    if (request.url === "/readyz") {
      options.ready().then(
        () => reply(200, '{"status":"ready"}'),
        (error: unknown) => reply(503, JSON.stringify({ status: "not ready", detail: (error as Error).message })),
      );
      return;
    }
    if (request.url === "/metrics") {
      options.registry.metrics().then((text) => reply(200, text, options.registry.contentType), () => reply(500, "{}"));
      return;
    }
    reply(404, '{"detail":"not found"}');
  }).listen(options.port);
}
