import { once } from "node:events";
import { mkdtempSync } from "node:fs";
import { createServer, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  highPriorityAlertSchema,
  Secret,
  silentLogger,
  topicsFromEnv,
  TOPICS,
  type HighPriorityAlert,
  type IncomingMessage,
} from "@soc/shared";
import { createMemoryBus } from "@soc/shared/memory";
import { parseScannerEnv } from "./config.ts";
import { createGitHubClient, MAX_INDEXED_BYTES, type GitHubClient } from "./github.ts";
import { fileFindingStore, runScan, type AlertLimits, type FindingStore } from "./scanner.ts";

const LEAKED = "sk_live_4eC39HqLyjWDarjtT1zdp7dc";
const JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U";
const stateFile = (): string => join(mkdtempSync(join(tmpdir(), "scan-")), "findings.json");
const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

async function listen(handler: Parameters<typeof createServer>[1]): Promise<string> {
  const server = createServer(handler).listen(0, "127.0.0.1");
  servers.push(server);
  await once(server, "listening");
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Speaks GitHub's code search and contents API: pagination, a spent quota, one leaking file. */
async function fakeGitHub(options: { totalCount?: number } = {}) {
  const requests: string[] = [];
  let rateLimitedOnce = false;
  const base = await listen((request, response) => {
    const url = new URL(request.url ?? "/", "http://x");
    requests.push(`${url.pathname}?${url.searchParams.get("q") ?? ""}&page=${url.searchParams.get("page") ?? ""}`);
    if (request.headers.authorization !== "Bearer gh-test-token") return void response.writeHead(401).end();
    if (url.pathname === "/search/code") {
      if (!rateLimitedOnce) {
        rateLimitedOnce = true;
        return void response
          .writeHead(403, {
            "x-ratelimit-remaining": "0",
            "x-ratelimit-reset": "0",
            "content-type": "application/json",
          })
          .end('{"message":"API rate limit exceeded"}');
      }
      const page = Number(url.searchParams.get("page"));
      const item = (n: number) => ({
        path: `src/file${n}.py`,
        url: `${base}/repos/acme/site/contents/src/file${n}.py`,
        html_url: `https://github.com/acme/site/blob/main/src/file${n}.py`,
        repository: { full_name: "acme/site" },
      });
      const items = page === 1 ? Array.from({ length: 100 }, (_, i) => item(i)) : [item(100)];
      // A size-restricted query matches fewer files, as on GitHub.
      const total = url.searchParams.get("q")?.includes("size:") === true ? 101 : (options.totalCount ?? 101);
      return void response
        .writeHead(200, { "content-type": "application/json" })
        .end(JSON.stringify({ total_count: total, items }));
    }
    if (url.pathname.startsWith("/repos/")) {
      const body = url.pathname.endsWith("file100.py")
        ? `import stripe\n\nstripe.api_key = "${LEAKED}"\n`
        : "print('hello')\n";
      return void response.writeHead(200, { "content-type": "text/plain" }).end(body);
    }
    response.writeHead(404).end();
  });
  return { base, requests };
}

describe("credential scan against GitHub's API", () => {
  it("pages through results, waits out the rate limit, reports a leak once across runs, redacted", async () => {
    const github = await fakeGitHub();
    const waits: number[] = [];
    const client = createGitHubClient({
      baseUrl: github.base,
      token: new Secret("gh-test-token"),
      sleep: async (ms) => void waits.push(ms),
      now: () => 0,
    });
    const bus = createMemoryBus();
    const findings = fileFindingStore(join(mkdtempSync(join(tmpdir(), "scan-")), "findings.json"));
    const first = await runScan({
      github: client,
      queries: ["acme.com"],
      bus,
      topic: TOPICS.highPriorityAlerts,
      findings,
      logger: silentLogger(),
    });
    expect(first).toEqual({
      files: 101,
      newFindings: 1,
      alerts: 1,
      truncatedFiles: 0,
      cappedFiles: 0,
      heldBackFiles: 0,
      failedFiles: 0,
    });
    expect(waits).toEqual([1_000]);
    expect(github.requests.filter((r) => r.startsWith("/search/code"))).toEqual([
      "/search/code?acme.com&page=1",
      "/search/code?acme.com&page=1",
      "/search/code?acme.com&page=2",
    ]);

    const second = await runScan({
      github: client,
      queries: ["acme.com"],
      bus,
      topic: TOPICS.highPriorityAlerts,
      findings,
      logger: silentLogger(),
    });
    expect(second.newFindings).toBe(0);

    const published: IncomingMessage[] = [];
    await (await bus.follow(TOPICS.highPriorityAlerts, (m) => published.push(m))).stop();
    expect(published).toHaveLength(1);
    const alert = JSON.parse(published[0]?.value ?? "{}");
    expect(highPriorityAlertSchema.parse(alert)).toMatchObject({
      type: "credential_leak",
      severity: "critical",
      count: 1,
      details: {
        repository: "acme/site",
        file: "src/file100.py",
        line: 3,
        rule: "stripe-live-key",
        url: "https://github.com/acme/site/blob/main/src/file100.py#L3",
        findings: 1,
        rules: null,
        capped: false,
        capped_by: null,
      },
    });
    expect(published[0]?.value).not.toContain(LEAKED.slice(8));
  });

  it("publishes to the topic TOPIC_HIGH_PRIORITY_ALERTS names, not the default one", async () => {
    const github = await fakeGitHub();
    const env = parseScannerEnv({
      GITHUB_TOKEN: "gh-test-token",
      SCAN_QUERIES: "acme.com",
      TOPIC_HIGH_PRIORITY_ALERTS: "tenant-a.alerts",
    });
    const client = createGitHubClient({
      baseUrl: github.base,
      token: env.GITHUB_TOKEN,
      sleep: async () => {},
      now: () => 0,
    });
    const bus = createMemoryBus();
    await runScan({
      github: client,
      queries: env.SCAN_QUERIES,
      bus,
      topic: topicsFromEnv(env).highPriorityAlerts,
      findings: fileFindingStore(stateFile()),
      logger: silentLogger(),
    });
    const published = { configured: 0, default: 0 };
    await (await bus.follow("tenant-a.alerts", () => void published.configured++)).stop();
    await (await bus.follow(TOPICS.highPriorityAlerts, () => void published.default++)).stop();
    expect(published).toEqual({ configured: 1, default: 0 });
  });

  it("splits a query by file size when it matches more than the 1,000 results search returns", async () => {
    const github = await fakeGitHub({ totalCount: 5_000 });
    const client = createGitHubClient({
      baseUrl: github.base,
      token: new Secret("gh-test-token"),
      sleep: async () => {},
      now: () => 0,
    });
    const matches = await client.searchCode("acme.com");
    expect(github.requests.filter((r) => r.includes("page=1")).map((r) => r.split("?")[1])).toEqual([
      "acme.com&page=1",
      "acme.com&page=1",
      "acme.com size:0..192000&page=1",
      "acme.com size:192001..384000&page=1",
    ]);
    expect(matches).toHaveLength(202);
  });
});

/** One page of search results over `files`; their contents come from `contents` (by URL path). */
async function fakeCodeSearch(
  files: { repository: string; path: string; url?: string }[],
  contents: (path: string, response: ServerResponse) => void,
  maxFileBytes?: number,
) {
  const base = await listen((request, response) => {
    if (request.headers.authorization !== "Bearer gh-test-token") return void response.writeHead(401).end();
    const url = new URL(request.url ?? "/", "http://x");
    if (url.pathname !== "/search/code") return contents(url.pathname, response);
    const items = files.map((file) => ({
      path: file.path,
      url: file.url ?? `${base}/repos/${file.repository}/contents/${file.path}`,
      html_url: `https://github.com/${file.repository}/blob/main/${file.path}`,
      repository: { full_name: file.repository },
    }));
    response
      .writeHead(200, { "content-type": "application/json" })
      .end(JSON.stringify({ total_count: items.length, items }));
  });
  return {
    base,
    github: createGitHubClient({
      baseUrl: base,
      token: new Secret("gh-test-token"),
      maxFileBytes,
      sleep: async () => {},
      now: () => 0,
    }),
  };
}

async function scanOnce(github: GitHubClient, options: { findings?: FindingStore; alertLimits?: AlertLimits } = {}) {
  const bus = createMemoryBus();
  const summary = await runScan({
    github,
    queries: ["acme.com"],
    bus,
    topic: TOPICS.highPriorityAlerts,
    findings: options.findings ?? fileFindingStore(stateFile()),
    logger: silentLogger(),
    alertLimits: options.alertLimits,
  });
  const alerts: HighPriorityAlert[] = [];
  await (
    await bus.follow(
      TOPICS.highPriorityAlerts,
      (m) => void alerts.push(highPriorityAlertSchema.parse(JSON.parse(m.value ?? ""))),
    )
  ).stop();
  return { summary, alerts };
}

describe("credential scan against attacker-controlled repositories", () => {
  it("raises one alert per file with counts by rule (the audit's 18,000 fake key ids: one alert, not 17,964)", async () => {
    const ids = Array.from({ length: 18_000 }, (_, i) => `AKIA${String(i).padStart(16, "0")}`);
    const { github } = await fakeCodeSearch(
      [
        { repository: "mallory/keys", path: "keys.txt" },
        { repository: "acme/site", path: "app.py" },
      ],
      (path, response) => {
        response.end(
          path.endsWith("keys.txt")
            ? ids.join("\n").slice(0, 378_000)
            : `stripe.api_key = "${LEAKED}"\nconst session = "${JWT}";\n`,
        );
      },
    );
    const { summary, alerts } = await scanOnce(github);
    expect(summary).toEqual({
      files: 2,
      newFindings: 102,
      alerts: 2,
      truncatedFiles: 0,
      cappedFiles: 1,
      heldBackFiles: 0,
      failedFiles: 0,
    });
    expect(
      alerts.map((a) => [
        a.details.file,
        a.count,
        a.details.findings,
        a.details.rules,
        a.details.capped,
        a.details.capped_by,
      ]),
    ).toEqual([
      ["keys.txt", 100, 100, "aws-access-key-id ×100", true, "findings"],
      ["app.py", 2, 2, "jwt ×1, stripe-live-key ×1", false, null],
    ]);
    expect(alerts[1]).toMatchObject({
      summary: "2 possible credentials (jwt ×1, stripe-live-key ×1) in public code: acme/site/app.py line 1.",
      details: { line: 1, rule: "stripe-live-key", redacted: "sk_l****************" },
    });
    const published = JSON.stringify(alerts);
    for (const secret of [...ids.slice(0, 100), LEAKED, JWT]) expect(published).not.toContain(secret.slice(4));
  });

  it("caps alerts per repository and per run; a later run reports what the caps held back", async () => {
    const names = [
      ...Array.from({ length: 8 }, (_, i) => ({ repository: "mallory/flood", path: `k${i}.py` })),
      ...Array.from({ length: 3 }, (_, i) => ({ repository: "acme/site", path: `s${i}.py` })),
    ];
    // A distinct key per file, so no file's finding is a repeat of another's.
    const files = names.map((file, i) => ({ ...file, key: `${LEAKED.slice(0, -2)}${String(i).padStart(2, "0")}` }));
    const { github } = await fakeCodeSearch(files, (path, response) =>
      response.end(`stripe.api_key = "${files.find((file) => path.endsWith(`/${file.path}`))?.key}"\n`),
    );
    const findings = fileFindingStore(stateFile());
    const alertLimits = { maxAlerts: 6, maxAlertsPerRepository: 4 };
    const runs = [];
    for (let run = 0; run < 3; run++) runs.push(await scanOnce(github, { findings, alertLimits }));
    expect(runs.map((r) => [r.summary.alerts, r.summary.heldBackFiles])).toEqual([
      [6, 5],
      [5, 0],
      [0, 0],
    ]);
    expect(runs[0]?.alerts.map((a) => a.details.file)).toEqual(["k0.py", "k1.py", "k2.py", "k3.py", "s0.py", "s1.py"]);
    expect(runs[1]?.alerts.map((a) => a.details.file)).toEqual(["k4.py", "k5.py", "k6.py", "k7.py", "s2.py"]);
  });

  it("reads a file no further than the size cap, and scans its beginning", async () => {
    const total = 64 * 1024 * 1024;
    const written: number[] = [];
    // A 64 MiB file with a key on its first line (limits.test.ts has the catastrophic texts).
    const { github, base } = await fakeCodeSearch(
      [{ repository: "mallory/big", path: "big.py" }],
      (_path, response) => {
        const chunk = Buffer.from("print('hello')\n".repeat(4_096));
        const sent = written.push(0) - 1;
        response.writeHead(200, { "content-type": "text/plain" }).write(`stripe.api_key = "${LEAKED}"\n`);
        const pump = (): void => {
          while ((written[sent] ?? 0) < total) {
            written[sent] = (written[sent] ?? 0) + chunk.length;
            if (!response.write(chunk)) return void response.once("drain", pump);
          }
          response.end();
        };
        pump();
      },
    );
    const { summary, alerts } = await scanOnce(github);
    expect(summary).toMatchObject({ files: 1, truncatedFiles: 1, alerts: 1 });
    expect(alerts[0]?.details).toMatchObject({ rule: "stripe-live-key", capped: true, capped_by: "size" });
    const file = await github.fileText({
      repository: "mallory/big",
      path: "big.py",
      url: `${base}/repos/mallory/big/contents/big.py`,
      htmlUrl: "",
    });
    expect(file.truncated).toBe(true);
    expect(file.text).toHaveLength(MAX_INDEXED_BYTES);
    // The client cancelled each body: the server stopped long before the end.
    expect(Math.max(...written)).toBeLessThan(total / 4);
  });

  it("reads exactly maxFileBytes bytes, and says when there was more", async () => {
    const { github, base } = await fakeCodeSearch(
      [],
      (path, response) => response.end(path === "/ten" ? "0123456789" : "0123456789A"),
      10,
    );
    const fileText = (name: string) =>
      github.fileText({ repository: "acme/site", path: name, url: `${base}/${name}`, htmlUrl: "" });
    expect(await fileText("ten")).toEqual({ text: "0123456789", truncated: false });
    expect(await fileText("eleven")).toEqual({ text: "0123456789", truncated: true });
  });

  it("sends the token only to GITHUB_API_URL's origin, whatever the search results name", async () => {
    const elsewhere: (string | undefined)[] = [];
    const other = await listen((request, response) => {
      elsewhere.push(request.headers.authorization);
      response.end(`stripe.api_key = "${LEAKED}"\n`);
    });
    const files = [
      { repository: "acme/site", path: "moved.py", url: `${other}/repos/acme/site/contents/moved.py` },
      { repository: "acme/site", path: "redirected.py" },
    ];
    const { github } = await fakeCodeSearch(files, (path, response) => {
      // A redirect to another origin is followed without the token: fetch drops it.
      if (path.endsWith("redirected.py"))
        return void response.writeHead(302, { location: `${other}/raw/redirected.py` }).end();
      response.writeHead(404).end();
    });
    const { summary, alerts } = await scanOnce(github);
    expect(summary).toMatchObject({ files: 2, failedFiles: 1, alerts: 1 });
    expect(alerts[0]?.details.file).toBe("redirected.py");
    expect(elsewhere).toEqual([undefined]);
  });
});
