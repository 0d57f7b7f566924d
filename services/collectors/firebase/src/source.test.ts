import { createVerify, generateKeyPairSync } from "node:crypto";
import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { collectorMetrics, createPullCollector } from "@soc/collector-framework";
import { logMessageSchema, Secret, silentLogger, TOPICS } from "@soc/shared";
import { createMemoryBus } from "@soc/shared/memory";
import { createRegistry } from "@soc/shared/telemetry";
import { accessTokenProvider } from "./google-auth.ts";
import { cloudLoggingSource } from "./source.ts";

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
});

const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
const entry = (
  insertId: string,
  timestamp: string,
  remoteIp: string,
  requestUrl = "https://identitytoolkit.googleapis.com/v1/accounts:signInWithPassword?key=x",
) => ({
  insertId,
  timestamp,
  logName: "projects/shop/logs/identitytoolkit.googleapis.com%2Frequests",
  jsonPayload: {
    methodName: "google.cloud.identitytoolkit.v1.AuthenticationService.SignInWithPassword",
    status: { code: 3, message: "INVALID_PASSWORD" },
  },
  httpRequest: { requestMethod: "POST", requestUrl, status: 400, remoteIp },
});

type Entry = ReturnType<typeof entry>;
const defaultPages: [Entry[], Entry[]] = [
  [entry("a", "2026-11-24T10:00:00.000Z", "203.0.113.60"), entry("b", "2026-11-24T10:00:01.000Z", "203.0.113.60")],
  [entry("c", "2026-11-24T10:00:02.000Z", "203.0.113.61")],
];

/** Google's token endpoint (verifying the assertion for real) and Cloud Logging's entries:list, serving `pages`. */
async function fakeGoogle(pages = defaultPages) {
  const listRequests: { filter: string; pageToken?: string }[] = [];
  let throttled = false;
  server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (c: Buffer) => chunks.push(c));
    request.on("end", () => {
      const body = Buffer.concat(chunks).toString();
      if (request.url === "/token") {
        const assertion = new URLSearchParams(body).get("assertion") ?? "";
        const [header = "", claims = "", signature = ""] = assertion.split(".");
        const valid = createVerify("RSA-SHA256")
          .update(`${header}.${claims}`)
          .verify(publicKey, Buffer.from(signature, "base64url"));
        const payload = JSON.parse(Buffer.from(claims, "base64url").toString()) as { iss: string; scope: string };
        if (
          !valid ||
          payload.iss !== "collector@shop.iam.gserviceaccount.com" ||
          payload.scope !== "https://www.googleapis.com/auth/logging.read"
        )
          return void response.writeHead(400).end('{"error":"invalid_grant"}');
        return void response
          .writeHead(200, { "content-type": "application/json" })
          .end('{"access_token":"ya29.issued","expires_in":3600,"token_type":"Bearer"}');
      }
      if (request.url === "/v2/entries:list") {
        if (request.headers.authorization !== "Bearer ya29.issued") return void response.writeHead(401).end();
        if (!throttled) {
          throttled = true;
          return void response
            .writeHead(429, { "content-type": "application/json" })
            .end('{"error":{"code":429,"status":"RESOURCE_EXHAUSTED"}}');
        }
        const list = JSON.parse(body) as { filter: string; pageToken?: string };
        listRequests.push(list);
        // Honours the filter's lower bound, as Cloud Logging does.
        const since = Date.parse(/timestamp >= "([^"]+)"/.exec(list.filter)?.[1] ?? "");
        const newer = (entries: Entry[]) => entries.filter((e) => Date.parse(e.timestamp) >= since);
        const page =
          list.pageToken === undefined
            ? { entries: newer(pages[0]), nextPageToken: "p2" }
            : { entries: newer(pages[1]) };
        return void response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(page));
      }
      response.writeHead(404).end();
    });
  }).listen(0, "127.0.0.1");
  await once(server, "listening");
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, listRequests };
}

const credential = () =>
  new Secret(
    JSON.stringify({
      client_email: "collector@shop.iam.gserviceaccount.com",
      private_key: privateKey.export({ type: "pkcs8", format: "pem" }),
      token_uri: `${google.url}/token`,
    }),
  );
let google: Awaited<ReturnType<typeof fakeGoogle>>;

/** Runs one collector round against the fake and returns what reached the bus. */
async function collectOnce(): Promise<Record<string, unknown>[]> {
  const source = cloudLoggingSource({
    baseUrl: google.url,
    projectId: "shop",
    accessToken: accessTokenProvider(credential(), "https://www.googleapis.com/auth/logging.read"),
    since: "2026-11-24T09:00:00Z",
    sleep: async () => undefined,
  });
  const bus = createMemoryBus();
  const collector = createPullCollector({
    source,
    bus,
    cursors: { load: async () => null, save: async () => undefined },
    logger: silentLogger(),
    metrics: collectorMetrics(createRegistry("firebase-test", { defaultMetrics: false })),
  });
  await collector.runOnce();
  const logs: Record<string, unknown>[] = [];
  await (
    await bus.follow(TOPICS.logs, (m) => logs.push(JSON.parse(m.value ?? "{}") as Record<string, unknown>))
  ).stop();
  return logs;
}

describe("Firebase logs from Cloud Logging", () => {
  it("signs in with the service account, pages through entries after a 429, and keeps the client IP", async () => {
    google = await fakeGoogle();
    const waits: number[] = [];
    const source = cloudLoggingSource({
      baseUrl: google.url,
      projectId: "shop",
      accessToken: accessTokenProvider(credential(), "https://www.googleapis.com/auth/logging.read"),
      since: "2026-11-24T09:00:00Z",
      sleep: async (ms) => void waits.push(ms),
      random: () => 0.5,
    });
    const { logs, cursor } = await source.poll(null);
    expect(waits).toEqual([500]);
    expect(logs.map((log) => [log.source_ip, log.endpoint])).toEqual([
      ["203.0.113.60", "/v1/accounts:signInWithPassword"],
      ["203.0.113.60", "/v1/accounts:signInWithPassword"],
      ["203.0.113.61", "/v1/accounts:signInWithPassword"],
    ]);
    expect(logs[0]?.message).toContain('203.0.113.60 firebase "POST /v1/accounts:signInWithPassword" 400 ');
    expect(logs[0]?.message).toContain("INVALID_PASSWORD");
    expect(google.listRequests[0]?.filter).toContain('timestamp >= "2026-11-24T09:00:00Z"');
    expect(JSON.parse(cursor)).toEqual({ timestamp: "2026-11-24T10:00:02.000Z", seen: ["c"] });

    // Resuming reads from the newest timestamp again but does not repeat the entry seen there.
    const resumed = await source.poll(cursor);
    expect(resumed.logs).toEqual([]);
    expect(JSON.parse(resumed.cursor)).toEqual({ timestamp: "2026-11-24T10:00:02.000Z", seen: ["c"] });
  });

  it("a 10,000-character URL reaches the bus with its endpoint cut to the stored 2048, and the client IP (port stripped) intact", async () => {
    const path = `/v1/${"a".repeat(10_000)}`;
    google = await fakeGoogle([
      [
        entry(
          "long",
          "2026-11-24T10:00:00.000Z",
          "203.0.113.70:443",
          `https://identitytoolkit.googleapis.com${path}?key=x`,
        ),
      ],
      [],
    ]);
    const [log, ...rest] = await collectOnce();
    expect(rest).toEqual([]);
    expect(log?.source_ip).toBe("203.0.113.70");
    expect(log?.endpoint).toBe(path.slice(0, 2048));
    expect(logMessageSchema.safeParse(log).success).toBe(true);
  });

  it("publishes an entry whose URL does not parse without its endpoint, instead of failing every later round", async () => {
    google = await fakeGoogle([
      [
        entry("bad", "2026-11-24T10:00:00.000Z", "203.0.113.71", "http://[oops/"),
        entry("next", "2026-11-24T10:00:01.000Z", "203.0.113.72"),
      ],
      [],
    ]);
    const logs = await collectOnce();
    expect(logs.map((log) => [log.source_ip, log.endpoint])).toEqual([
      ["203.0.113.71", undefined],
      ["203.0.113.72", "/v1/accounts:signInWithPassword"],
    ]);
  });
});
