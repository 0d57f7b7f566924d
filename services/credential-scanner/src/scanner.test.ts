import { once } from "node:events";
import { mkdtempSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createMemoryBus, Secret, silentLogger, TOPICS, type IncomingMessage } from "@soc/shared";
import { createGitHubClient } from "./github.ts";
import { fileFindingStore, runScan } from "./scanner.ts";

const LEAKED = "sk_live_4eC39HqLyjWDarjtT1zdp7dc";
let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
});

/** Speaks GitHub's code search and contents API: pagination, a spent quota, one leaking file. */
async function fakeGitHub(options: { totalCount?: number } = {}) {
  const requests: string[] = [];
  let rateLimitedOnce = false;
  server = createServer((request, response) => {
    const url = new URL(request.url ?? "/", "http://x");
    requests.push(`${url.pathname}?${url.searchParams.get("q") ?? ""}&page=${url.searchParams.get("page") ?? ""}`);
    if (request.headers.authorization !== "Bearer gh-test-token") return void response.writeHead(401).end();
    if (url.pathname === "/search/code") {
      if (!rateLimitedOnce) {
        rateLimitedOnce = true;
        return void response.writeHead(403, { "x-ratelimit-remaining": "0", "x-ratelimit-reset": "0", "content-type": "application/json" }).end('{"message":"API rate limit exceeded"}');
      }
      const page = Number(url.searchParams.get("page"));
      const item = (n: number) => ({ path: `src/file${n}.py`, url: `${base}/repos/acme/site/contents/src/file${n}.py`, html_url: `https://github.com/acme/site/blob/main/src/file${n}.py`, repository: { full_name: "acme/site" } });
      const items = page === 1 ? Array.from({ length: 100 }, (_, i) => item(i)) : [item(100)];
      // A size-restricted query matches fewer files, as on GitHub.
      const total = url.searchParams.get("q")?.includes("size:") === true ? 101 : (options.totalCount ?? 101);
      return void response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ total_count: total, items }));
    }
    if (url.pathname.startsWith("/repos/")) {
      const body = url.pathname.endsWith("file100.py") ? `import stripe\n\nstripe.api_key = "${LEAKED}"\n` : "print('hello')\n";
      return void response.writeHead(200, { "content-type": "text/plain" }).end(body);
    }
    response.writeHead(404).end();
  }).listen(0, "127.0.0.1");
  await once(server, "listening");
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { base, requests };
}

describe("credential scan against GitHub's API", () => {
  it("pages through results, waits out the rate limit, reports a leak once across runs, redacted", async () => {
    const github = await fakeGitHub();
    const waits: number[] = [];
    const client = createGitHubClient({ baseUrl: github.base, token: new Secret("gh-test-token"), sleep: async (ms) => void waits.push(ms), now: () => 0 });
    const bus = createMemoryBus();
    const findings = fileFindingStore(join(mkdtempSync(join(tmpdir(), "scan-")), "findings.json"));
    const first = await runScan({ github: client, queries: ["acme.com"], bus, findings, logger: silentLogger() });
    expect(first).toEqual({ files: 101, newFindings: 1 });
    expect(waits).toEqual([1_000]);
    expect(github.requests.filter((r) => r.startsWith("/search/code"))).toEqual(["/search/code?acme.com&page=1", "/search/code?acme.com&page=1", "/search/code?acme.com&page=2"]);

    const second = await runScan({ github: client, queries: ["acme.com"], bus, findings, logger: silentLogger() });
    expect(second.newFindings).toBe(0);

    const published: IncomingMessage[] = [];
    await (await bus.follow(TOPICS.highPriorityAlerts, (m) => published.push(m))).stop();
    expect(published).toHaveLength(1);
    const alert = JSON.parse(published[0]?.value ?? "{}");
    expect(alert).toMatchObject({ type: "credential_leak", severity: "critical", details: { repository: "acme/site", file: "src/file100.py", line: 3, rule: "stripe-live-key", url: "https://github.com/acme/site/blob/main/src/file100.py#L3" } });
    expect(published[0]?.value).not.toContain(LEAKED.slice(8));
  });

  it("splits a query by file size when it matches more than the 1,000 results search returns", async () => {
    const github = await fakeGitHub({ totalCount: 5_000 });
    const client = createGitHubClient({ baseUrl: github.base, token: new Secret("gh-test-token"), sleep: async () => {}, now: () => 0 });
    const matches = await client.searchCode("acme.com");
    expect(github.requests.filter((r) => r.includes("page=1")).map((r) => r.split("?")[1])).toEqual(["acme.com&page=1", "acme.com&page=1", "acme.com size:0..192000&page=1", "acme.com size:192001..384000&page=1"]);
    expect(matches).toHaveLength(202);
  });
});
