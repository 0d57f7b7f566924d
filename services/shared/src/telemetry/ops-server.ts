/** /healthz, /readyz and /metrics for services without an HTTP API of their own. */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Registry } from "prom-client";
import { answerUnparsableRequests } from "../http/unparsable-requests.ts";

export interface OpsServerOptions {
  port: number;
  registry: Registry;
  /** Rejects while the service cannot take work (dependencies down): /readyz answers 503. */
  ready: () => Promise<void>;
  /** Rejects when the process is stuck and should be restarted: /healthz answers 503. */
  live?: () => Promise<void>;
}

/** The ops endpoints without a port of their own, for a server that also answers other requests. */
export type OpsEndpoints = Omit<OpsServerOptions, "port">;

/** 404 for a path a service does not serve. */
export function replyNotFound(response: ServerResponse): void {
  response.writeHead(404, { "content-type": "application/json" }).end('{"detail":"not found"}');
}

/** Answers /healthz, /readyz and /metrics; false for any other path, which the caller answers. */
export function handleOpsRequest(options: OpsEndpoints, request: IncomingMessage, response: ServerResponse): boolean {
  const reply = (status: number, body: string, type = "application/json"): void => {
    response.writeHead(status, { "content-type": type }).end(body);
  };
  const probe = (check: () => Promise<void>, good: string, bad: string): void => {
    check().then(
      () => reply(200, JSON.stringify({ status: good })),
      (error: unknown) => reply(503, JSON.stringify({ status: bad, detail: (error as Error).message })),
    );
  };
  if (request.url === "/healthz") probe(options.live ?? (async () => {}), "ok", "unhealthy");
  else if (request.url === "/readyz") probe(options.ready, "ready", "not ready");
  else if (request.url === "/metrics")
    options.registry.metrics().then(
      (text) => reply(200, text, options.registry.contentType),
      () => reply(500, "{}"),
    );
  else return false;
  return true;
}

export function startOpsServer(options: OpsServerOptions): Server {
  const server = createServer((request, response) => {
    if (!handleOpsRequest(options, request, response)) replyNotFound(response);
  });
  return answerUnparsableRequests(server).listen(options.port);
}
