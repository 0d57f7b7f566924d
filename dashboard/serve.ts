/**
 * Serves the built dashboard: static files with the right types, long caching for hashed assets,
 * index.html for any other path, and /config.json telling the page where the API is. Every answer
 * carries the security headers; no request, however malformed, can throw out of the handler.
 */
import { once } from "node:events";
import { readFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type RequestListener, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { extname, join, normalize, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { answerUnparsableRequests } from "@soc/shared/http";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript",
  ".css": "text/css",
  ".svg": "image/svg+xml",
  ".json": "application/json",
  ".png": "image/png",
  ".ico": "image/x-icon",
};
export const DEFAULT_DIST = fileURLToPath(new URL("./dist/", import.meta.url));

export interface DashboardServer {
  url: string;
  close(): Promise<void>;
}

export interface DashboardOptions {
  distDir?: string;
  /** Where browsers reach the API; the only other origin the page may connect to. */
  apiBaseUrl: string;
}

/**
 * Vite's build loads only external scripts, so no inline script is allowed. The views' templates
 * carry `style="..."` attributes, so those (and only those: no <style> element) may be inline.
 */
function securityHeaders(apiOrigin: string): Record<string, string> {
  const policy = [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "style-src-attr 'unsafe-inline'",
    `connect-src 'self' ${apiOrigin}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
  return {
    "content-security-policy": policy,
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
  };
}

/** The decoded path of a request target, or null when it is not a valid URL or escape (e.g. `/%E0%A4%A`). */
function requestPath(target: string | undefined): string | null {
  try {
    const path = decodeURIComponent(new URL(target ?? "/", "http://x").pathname);
    return path.includes("\0") ? null : path;
  } catch {
    return null;
  }
}

function apiOriginOf(apiBaseUrl: string): string {
  const url = URL.canParse(apiBaseUrl) ? new URL(apiBaseUrl) : null;
  if (url?.protocol !== "http:" && url?.protocol !== "https:")
    throw new Error(`dashboard: apiBaseUrl must be an http(s) URL, got ${JSON.stringify(apiBaseUrl)}`);
  return url.origin;
}

function dashboardHandler(options: DashboardOptions): RequestListener {
  // With a trailing separator, `startsWith(root)` cannot admit a sibling such as `dist-old/`.
  const root = join(resolve(options.distDir ?? DEFAULT_DIST), sep);
  const headers = securityHeaders(apiOriginOf(options.apiBaseUrl));
  const config = JSON.stringify({ apiBaseUrl: options.apiBaseUrl });
  const answer = (
    response: ServerResponse,
    status: number,
    extra: Record<string, string>,
    body: string | Buffer,
  ): void => {
    if (response.headersSent) return void response.destroy();
    response.writeHead(status, { ...headers, ...extra }).end(body);
  };
  const text = { "content-type": "text/plain; charset=utf-8" };

  const serve = (request: IncomingMessage, response: ServerResponse): void => {
    if (request.method !== "GET" && request.method !== "HEAD")
      return answer(response, 405, { ...text, allow: "GET, HEAD" }, "method not allowed");
    const path = requestPath(request.url);
    if (path === null) return answer(response, 400, text, "bad request: malformed URL");
    if (path === "/config.json")
      return answer(response, 200, { "content-type": "application/json", "cache-control": "no-store" }, config);
    const requested = normalize(join(root, path));
    // Paths without an extension are the app's own routes; paths outside the root never resolve.
    const file = requested.startsWith(root) && extname(requested) !== "" ? requested : join(root, "index.html");
    readFile(file).then(
      (body) => {
        const hashed = path.startsWith("/assets/");
        answer(
          response,
          200,
          {
            "content-type": TYPES[extname(file)] ?? "application/octet-stream",
            "cache-control": hashed ? "public, max-age=31536000, immutable" : "no-cache",
          },
          body,
        );
      },
      () => answer(response, 404, text, "not found"),
    );
  };
  return (request, response) => {
    try {
      serve(request, response);
    } catch {
      answer(response, 500, text, "internal error");
    }
  };
}

export async function startDashboardServer(
  options: DashboardOptions & { port: number; host?: string },
): Promise<DashboardServer> {
  const server = answerUnparsableRequests(createServer(dashboardHandler(options)));
  server.listen(options.port, options.host ?? "127.0.0.1");
  await once(server, "listening");
  return {
    url: `http://${options.host ?? "127.0.0.1"}:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((done) => server.close(() => done())),
  };
}
