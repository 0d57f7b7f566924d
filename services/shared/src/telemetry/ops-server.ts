/** /healthz, /readyz and /metrics for services without an HTTP API of their own. */
import { createServer, type Server } from "node:http";
import type { Registry } from "prom-client";

export interface OpsServerOptions {
  port: number;
  registry: Registry;
  /** Rejects while the service cannot take work (dependencies down): /readyz answers 503. */
  ready: () => Promise<void>;
  /** Rejects when the process is stuck and should be restarted: /healthz answers 503. */
  live?: () => Promise<void>;
}

export function startOpsServer(options: OpsServerOptions): Server {
  return createServer((request, response) => {
    const reply = (status: number, body: string, type = "application/json"): void => {
      response.writeHead(status, { "content-type": type }).end(body);
    };
    const probe = (check: () => Promise<void>, good: string, bad: string): void => {
      check().then(
        () => reply(200, JSON.stringify({ status: good })),
        (error: unknown) => reply(503, JSON.stringify({ status: bad, detail: (error as Error).message })),
      );
    };
    if (request.url === "/healthz") return probe(options.live ?? (async () => {}), "ok", "unhealthy");
    if (request.url === "/readyz") return probe(options.ready, "ready", "not ready");
    if (request.url === "/metrics") {
      options.registry.metrics().then((text) => reply(200, text, options.registry.contentType), () => reply(500, "{}"));
      return;
    }
    reply(404, '{"detail":"not found"}');
  }).listen(options.port);
}
