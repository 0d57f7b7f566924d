/**
 * Serves the built dashboard: static files with the right types, long caching for hashed assets,
 * index.html for any other path, and /config.json telling the page where the API is.
 */
import { once } from "node:events";
import { readFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { extname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";

const TYPES: Record<string, string> = { ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml", ".json": "application/json", ".png": "image/png", ".ico": "image/x-icon" };
export const DEFAULT_DIST = fileURLToPath(new URL("./dist/", import.meta.url));

export interface DashboardServer {
  url: string;
  close(): Promise<void>;
}

export async function startDashboardServer(options: { port: number; host?: string; distDir?: string; apiBaseUrl: string }): Promise<DashboardServer> {
  const root = options.distDir ?? DEFAULT_DIST;
  const server = createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? "/", "http://x").pathname);
    if (path === "/config.json") {
      response.writeHead(200, { "content-type": "application/json", "cache-control": "no-store" }).end(JSON.stringify({ apiBaseUrl: options.apiBaseUrl }));
      return;
    }
    const requested = normalize(join(root, path));
    // Paths without an extension are the app's own routes; paths outside the root never resolve.
    const file = requested.startsWith(root) && extname(requested) !== "" ? requested : join(root, "index.html");
    readFile(file).then(
      (body) => {
        const hashed = path.startsWith("/assets/");
        response.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream", "cache-control": hashed ? "public, max-age=31536000, immutable" : "no-cache" }).end(body);
      },
      () => response.writeHead(404, { "content-type": "text/plain" }).end("not found"),
    );
  });
  server.listen(options.port, options.host ?? "127.0.0.1");
  await once(server, "listening");
  return {
    url: `http://${options.host ?? "127.0.0.1"}:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
