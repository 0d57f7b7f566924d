// The dashboard server (serve.ts) as a browser or an attacker meets it: a real server on a free
// port, requests sent byte for byte by node:http, answers read as they arrive.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_DIST, startDashboardServer, type DashboardServer } from "../serve.ts";

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function send(
  base: string,
  path: string,
  init: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers = {
      ...init.headers,
      ...(init.body === undefined ? {} : { "content-length": String(Buffer.byteLength(init.body)) }),
    };
    // One connection per request: an answer that closes its connection cannot break the next one.
    const call = request(base, { method: init.method ?? "GET", path, headers, agent: false }, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () =>
        resolve({
          status: response.statusCode ?? 0,
          headers: response.headers,
          body: Buffer.concat(chunks).toString("utf8"),
        }),
      );
    });
    call.on("error", reject);
    call.end(init.body);
  });
}

const API = "http://api.example:8000";
const INDEX = "<!doctype html><title>SOC</title>";
let dashboard: DashboardServer;
let dist: string;

beforeAll(async () => {
  const parent = mkdtempSync(join(tmpdir(), "soc-serve-"));
  dist = join(parent, "dist");
  mkdirSync(join(dist, "assets"), { recursive: true });
  writeFileSync(join(dist, "index.html"), INDEX);
  writeFileSync(join(dist, "assets", "app.js"), "console.log(1)");
  // A sibling whose name starts with the root's: only a trailing separator keeps it out.
  mkdirSync(join(parent, "dist-old"));
  writeFileSync(join(parent, "dist-old", "secret.txt"), "old secret");
  dashboard = await startDashboardServer({ port: 0, distDir: dist, apiBaseUrl: API });
});
afterAll(async () => {
  await dashboard.close();
});

describe("dashboard server", () => {
  it.each(["/%E0%A4%A", "/%", "/assets/%ZZ.js", "/%00.js"])(
    "answers 400 to the malformed path %s and keeps serving",
    async (path) => {
      const answer = await send(dashboard.url, path);
      expect(answer.status).toBe(400);
      expect(answer.body).toMatch(/malformed URL/);
      expect((await send(dashboard.url, "/")).status).toBe(200);
    },
  );

  it.each([
    "/../dist-old/secret.txt",
    "/%2e%2e/dist-old/secret.txt",
    "/..%2fdist-old%2fsecret.txt",
    "/assets/../../dist-old/secret.txt",
  ])("never serves a file outside the root, even from a sibling directory (%s)", async (path) => {
    const answer = await send(dashboard.url, path);
    expect(answer.body).not.toContain("old secret");
    expect([200, 404]).toContain(answer.status);
  });

  it("serves files, the app's routes and /config.json", async () => {
    expect((await send(dashboard.url, "/assets/app.js")).headers["cache-control"]).toMatch(/immutable/);
    expect((await send(dashboard.url, "/alerts")).body).toBe(INDEX);
    expect(JSON.parse((await send(dashboard.url, "/config.json")).body)).toEqual({ apiBaseUrl: API });
    expect((await send(dashboard.url, "/missing.png")).status).toBe(404);
    const post = await send(dashboard.url, "/", { method: "POST", body: "x" });
    expect([post.status, post.headers.allow]).toEqual([405, "GET, HEAD"]);
  });

  it("sends the security headers on every answer: no inline script, no framing, API as the only other origin", async () => {
    for (const path of ["/", "/config.json", "/assets/app.js", "/missing.png", "/%"]) {
      const { headers } = await send(dashboard.url, path);
      const csp = String(headers["content-security-policy"]);
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain(`connect-src 'self' ${API}`);
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toMatch(/script-src 'self'(;|$)/);
      expect(headers["x-content-type-options"]).toBe("nosniff");
      expect(headers["x-frame-options"]).toBe("DENY");
      expect(headers["referrer-policy"]).toBe("no-referrer");
    }
  });

  it("refuses an API address that is not a URL at start, not at the first request", async () => {
    await expect(startDashboardServer({ port: 0, distDir: dist, apiBaseUrl: "localhost:8000" })).rejects.toThrow(
      /apiBaseUrl/,
    );
  });

  it("answers every path, method, header and body with 2xx or 4xx, and stays up", async () => {
    const percent = fc.oneof(
      fc.constantFrom("%", "%E0%A4%A", "%C0%AE", "%2e%2e", "%2f", "%5c", "%00", "%ff", "%%", ".."),
      fc.integer({ min: 0, max: 255 }).map((byte) => `%${byte.toString(16)}`),
    );
    // Characters node:http lets into a request target; the server's own parser answers the others.
    const plain = fc.string({
      unit: fc.integer({ min: 0x21, max: 0x7e }).map((code) => String.fromCharCode(code)),
      maxLength: 20,
    });
    const path = fc
      .array(fc.oneof(plain, percent, fc.constantFrom("/", "//", "/assets/", "/config.json", ".js", "?x=%", "#")), {
        maxLength: 12,
      })
      .map((parts) => `/${parts.join("")}`);
    const header = fc.string({
      unit: fc.integer({ min: 0x20, max: 0x7e }).map((code) => String.fromCharCode(code)),
      maxLength: 200,
    });
    await fc.assert(
      fc.asyncProperty(
        path,
        fc.constantFrom("GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH"),
        header,
        fc.string({ maxLength: 2000 }),
        async (target, method, value, body) => {
          const answer = await send(dashboard.url, target, {
            method,
            headers: { "x-fuzz": value, accept: value },
            body,
          });
          expect(answer.status).toBeGreaterThanOrEqual(200);
          expect(answer.status).toBeLessThan(500);
          expect(answer.body).not.toContain("old secret");
        },
      ),
      { numRuns: 300 },
    );
    expect((await send(dashboard.url, "/")).status).toBe(200);
  });

  it("answers a path of 100 KiB with a 4xx from the HTTP parser, and stays up", async () => {
    const answer = await send(dashboard.url, `/${"%".repeat(100 * 1024)}`);
    expect(answer.status).toBe(431);
    expect((await send(dashboard.url, "/")).status).toBe(200);
  });
});

// The built page (npm run build) must work under script-src 'self': Vite emits only external scripts.
describe.skipIf(!existsSync(join(DEFAULT_DIST, "index.html")))("built dashboard", () => {
  it("has no inline script in index.html", () => {
    const html = readFileSync(join(DEFAULT_DIST, "index.html"), "utf8");
    const scripts = html.match(/<script\b[^>]*>/g) ?? [];
    expect(scripts.length).toBeGreaterThan(0);
    for (const tag of scripts) expect(tag).toMatch(/\ssrc="\/assets\/[^"]+\.js"/);
    expect(html).not.toMatch(/<script\b[^>]*>\s*[^<\s]/);
    expect(html).not.toMatch(/\son[a-z]+=/i);
  });
});
