import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { silentLogger, TOPICS, type Bus, type IncomingMessage, type ProcessedLog } from "@soc/shared";
import { createMemoryBus } from "@soc/shared/memory";
import { createKafkaBus } from "@soc/shared/kafka";
import { startTestApi, type TestApi } from "./testing.ts";

const json = (value: unknown): string => JSON.stringify(value);

function doc(id: string, timestamp: number, overrides: Partial<ProcessedLog> = {}): ProcessedLog {
  return {
    id,
    message: `failed login from 1.2.3.${timestamp % 250}`,
    timestamp,
    status: "new",
    is_anomaly: true,
    reason: "Log contains anomalous keyword.",
    source_ip: "1.2.3.4",
    rule: "keyword",
    ...overrides,
  };
}

async function topicMessages(bus: Bus, topic: string): Promise<IncomingMessage[]> {
  const seen: IncomingMessage[] = [];
  const subscription = await bus.follow(topic, (message) => seen.push(message));
  await subscription.stop();
  return seen;
}

describe("API over in-memory adapters", () => {
  let api: TestApi;
  beforeEach(async () => {
    api = await startTestApi();
  });
  afterEach(async () => {
    await api.close();
  });

  describe("POST /logs", () => {
    it("accepts the contract's example and publishes it to the logs topic with an event time", async () => {
      const response = await api.request("/logs", {
        method: "POST",
        body: json({ message: "failed login attempt for user admin from 192.168.1.105" }),
        key: "ingest",
      });
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ status: "Log submitted successfully" });
      const [published] = await topicMessages(api.deps.bus, TOPICS.logs);
      const body = JSON.parse(published?.value ?? "{}");
      expect(body.message).toBe("failed login attempt for user admin from 192.168.1.105");
      expect(typeof body.timestamp).toBe("number");
    });

    it("uses the given RFC 3339 event time and source", async () => {
      await api.request("/logs", {
        method: "POST",
        body: json({ message: "x", timestamp: "2025-12-10T06:55:46Z", source: "sshd" }),
      });
      const [published] = await topicMessages(api.deps.bus, TOPICS.logs);
      expect(JSON.parse(published?.value ?? "{}")).toMatchObject({
        timestamp: Date.parse("2025-12-10T06:55:46Z") / 1000,
        source: "sshd",
      });
    });

    it("accepts a batch as a JSON array and as NDJSON", async () => {
      const array = await api.request("/logs", { method: "POST", body: json([{ message: "a" }, { message: "b" }]) });
      expect(await array.json()).toEqual({ status: "Logs submitted successfully", accepted: 2 });
      const ndjson = await api.request("/logs", {
        method: "POST",
        body: '{"message":"c"}\n{"message":"d"}\n',
        headers: { "content-type": "application/x-ndjson" },
      });
      expect(await ndjson.json()).toEqual({ status: "Logs submitted successfully", accepted: 2 });
      expect((await topicMessages(api.deps.bus, TOPICS.logs)).map((m) => JSON.parse(m.value ?? "{}").message)).toEqual([
        "a",
        "b",
        "c",
        "d",
      ]);
    });

    it.each([
      ["invalid JSON", "{not json", /Invalid JSON/],
      ["a missing message", json({ text: "hi" }), /message: /],
      ["an empty message", json({ message: "" }), /message: /],
      ["a bad timestamp", json({ message: "x", timestamp: "yesterday" }), /timestamp/],
    ])("answers 400 with a reason for %s, publishing nothing", async (_, body, detail) => {
      const response = await api.request("/logs", { method: "POST", body });
      expect(response.status).toBe(400);
      const error = (await response.json()) as { detail: string; code: string };
      expect(error.code).toBe("bad_request");
      expect(error.detail).toMatch(detail);
      expect(await topicMessages(api.deps.bus, TOPICS.logs)).toHaveLength(0);
    });

    it("answers 413 for a body over the limit", async () => {
      const response = await api.request("/logs", { method: "POST", body: json({ message: "x".repeat(70 * 1024) }) });
      expect(response.status).toBe(413);
      expect(((await response.json()) as { detail: string }).detail).toMatch(/limit/);
    });

    it("answers 415 for a body that is not JSON", async () => {
      const response = await api.request("/logs", {
        method: "POST",
        body: "message=x",
        headers: { "content-type": "application/x-www-form-urlencoded" },
      });
      expect(response.status).toBe(415);
    });

    // Types a cross-site page may send without a CORS preflight (or that merely contain "json").
    it.each([
      "text/plain; charset=json",
      "text/plain;json",
      "application/json-patch+json",
      "text/json",
      "multipart/form-data; boundary=json",
      "application/jsonx",
    ])("answers 415 for Content-Type %s, publishing nothing", async (type) => {
      const response = await api.request("/logs", {
        method: "POST",
        body: json({ message: "x" }),
        headers: { "content-type": type },
      });
      expect(response.status).toBe(415);
      expect(await response.json()).toMatchObject({ code: "unsupported_media_type" });
      expect(await topicMessages(api.deps.bus, TOPICS.logs)).toHaveLength(0);
    });

    it("answers 415 for a body without a Content-Type (a typeless Blob crosses sites without a preflight)", async () => {
      const response = await fetch(`${api.url}/whitelist`, {
        method: "POST",
        body: new Blob([json({ ip: "0.0.0.0/0" })]),
        headers: { authorization: "Bearer admin-key-0123456789" },
      });
      expect(response.status).toBe(415);
      expect(((await response.json()) as { detail: string }).detail).toMatch(/missing Content-Type/);
    });

    it.each([
      "application/json",
      "application/json; charset=utf-8",
      "Application/JSON",
      "application/x-ndjson",
      "application/ndjson",
      "application/jsonl",
    ])("accepts Content-Type %s", async (type) => {
      const response = await api.request("/logs", {
        method: "POST",
        body: json({ message: "x" }),
        headers: { "content-type": type },
      });
      expect(response.status).toBe(200);
    });
  });

  describe("access control", () => {
    it("answers 401 without a key and 403 with an unknown key", async () => {
      expect((await api.request("/alerts?is_anomaly=true", { key: null })).status).toBe(401);
      const forged = await fetch(`${api.url}/alerts?is_anomaly=true`, {
        headers: { authorization: "Bearer not-a-key-at-all-00" },
      });
      expect(forged.status).toBe(403);
      expect(await forged.json()).toEqual({ detail: "Invalid API key", code: "forbidden" });
    });

    it("lets only admin change the whitelist or alerts", async () => {
      const asRead = await api.request("/whitelist", { method: "POST", body: json({ ip: "6.6.6.6" }), key: "read" });
      expect(asRead.status).toBe(403);
      expect(((await asRead.json()) as { detail: string }).detail).toMatch(/'admin' role/);
      expect(
        (await api.request("/alerts/x", { method: "PATCH", body: json({ status: "resolved" }), key: "ingest" })).status,
      ).toBe(403);
      expect((await api.request("/whitelist", { key: "read" })).status).toBe(200);
    });

    it("keeps ingest keys from reading alerts", async () => {
      expect((await api.request("/alerts?is_anomaly=true", { key: "ingest" })).status).toBe(403);
    });
  });

  describe("GET and PATCH /alerts", () => {
    beforeEach(async () => {
      await api.deps.store.bulkIndex([
        doc("a", 100),
        doc("b", 300),
        doc("c", 200, { status: "resolved" }),
        doc("n", 250, { is_anomaly: false, reason: null, rule: null }),
      ]);
    });

    it("answers the contract's bare array, newest first, only anomalies when is_anomaly=true", async () => {
      const response = await api.request("/alerts?is_anomaly=true", { key: "read" });
      expect(response.status).toBe(200);
      const items = (await response.json()) as ProcessedLog[];
      expect(items.map((item) => item.id)).toEqual(["b", "c", "a"]);
      expect(items[0]).toMatchObject({
        id: "b",
        is_anomaly: true,
        status: "new",
        source_ip: "1.2.3.4",
        timestamp: 300,
      });
      expect(response.headers.get("x-total-count")).toBe("3");
    });

    it("pages with a cursor until the last page", async () => {
      const first = await api.request("/alerts?is_anomaly=true&size=2");
      expect(((await first.json()) as ProcessedLog[]).map((item) => item.id)).toEqual(["b", "c"]);
      const cursor = first.headers.get("x-next-cursor");
      expect(cursor).toBeTruthy();
      const second = await api.request(`/alerts?is_anomaly=true&size=2&cursor=${cursor}`);
      expect(((await second.json()) as ProcessedLog[]).map((item) => item.id)).toEqual(["a"]);
      expect(second.headers.get("x-next-cursor")).toBeNull();
    });

    it("filters by status and time range", async () => {
      const resolved = (await (await api.request("/alerts?is_anomaly=true&status=resolved")).json()) as ProcessedLog[];
      expect(resolved.map((item) => item.id)).toEqual(["c"]);
      const ranged = (await (await api.request("/alerts?from=150&to=260")).json()) as ProcessedLog[];
      expect(ranged.map((item) => item.id)).toEqual(["n", "c"]);
    });

    it("answers 400 for an unknown status filter or a forged cursor", async () => {
      expect((await api.request("/alerts?status=closed")).status).toBe(400);
      expect((await api.request("/alerts?cursor=abc")).status).toBe(400);
    });

    it("updates an alert's status as the contract says, and 404s an unknown one", async () => {
      const response = await api.request("/alerts/a", { method: "PATCH", body: json({ status: "resolved" }) });
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ status: "Alert status updated successfully" });
      expect((await api.deps.store.get("a"))?.status).toBe("resolved");
      const missing = await api.request("/alerts/nope", { method: "PATCH", body: json({ status: "resolved" }) });
      expect(missing.status).toBe(404);
      expect(await missing.json()).toEqual({ detail: "Alert not found", code: "not_found" });
      expect((await api.request("/alerts/a", { method: "PATCH", body: json({ status: "closed" }) })).status).toBe(400);
    });

    it("triages many alerts at once and names the ones it did not find", async () => {
      const response = await api.request("/alerts", {
        method: "PATCH",
        body: json({ ids: ["a", "b", "zz"], status: "false_positive" }),
      });
      expect(await response.json()).toEqual({ updated: 2, not_found: ["zz"] });
      expect((await api.deps.store.get("b"))?.status).toBe("false_positive");
    });

    it("summarises anomalies for the overview", async () => {
      const stats = await (await api.request("/stats?bucket_seconds=3600")).json();
      expect(stats).toEqual({
        total: 4,
        anomalies: 3,
        by_rule: { keyword: 3 },
        by_status: { new: 2, resolved: 1 },
        top_source_ips: [{ ip: "1.2.3.4", count: 3 }],
        timeline: [{ t: 0, count: 3 }],
        bucket_seconds: 3600,
      });
    });
  });

  describe("whitelist", () => {
    it("adds, lists and removes IPs and CIDRs with the contract's messages", async () => {
      const added = await api.request("/whitelist", { method: "POST", body: json({ ip: "8.8.8.8" }) });
      expect(added.status).toBe(201);
      expect(await added.json()).toEqual({ status: "IP added to whitelist" });
      await api.request("/whitelist", { method: "POST", body: json({ ip: "10.0.0.0/8" }) });
      expect(await (await api.request("/whitelist")).json()).toMatchObject({
        whitelisted_ips: ["10.0.0.0/8", "8.8.8.8"],
      });

      const removed = await api.request(`/whitelist/${encodeURIComponent("10.0.0.0/8")}`, { method: "DELETE" });
      expect(removed.status).toBe(200);
      expect(await removed.json()).toEqual({ status: "IP removed from whitelist" });
      expect(await (await api.request("/whitelist")).json()).toEqual({
        whitelisted_ips: ["8.8.8.8"],
        entries: [{ ip: "8.8.8.8", owner: "api" }],
      });
    });

    it("publishes each change to config-updates keyed by IP", async () => {
      await api.request("/whitelist", { method: "POST", body: json({ ip: "8.8.8.8" }) });
      await api.request("/whitelist/8.8.8.8", { method: "DELETE" });
      const updates = await topicMessages(api.deps.bus, TOPICS.configUpdates);
      expect(updates.map((m) => [m.key, JSON.parse(m.value ?? "{}")])).toEqual([
        ["8.8.8.8", { action: "add", ip: "8.8.8.8", owner: "api" }],
        ["8.8.8.8", { action: "remove", ip: "8.8.8.8", owner: "api" }],
      ]);
    });

    it("answers 404 for an IP not in the whitelist and 400 for a non-IP", async () => {
      const missing = await api.request("/whitelist/1.1.1.1", { method: "DELETE" });
      expect(missing.status).toBe(404);
      expect(await missing.json()).toEqual({ detail: "IP not found in whitelist", code: "not_found" });
      const invalid = await api.request("/whitelist", { method: "POST", body: json({ ip: "999.1.1.1" }) });
      expect(invalid.status).toBe(400);
      expect(((await invalid.json()) as { detail: string }).detail).toMatch(/^ip: /);
    });
  });

  describe("operations", () => {
    it("documents every route in /openapi.json and serves /docs offline", async () => {
      const document = (await (await api.request("/openapi.json", { key: null })).json()) as {
        paths: Record<string, Record<string, unknown>>;
      };
      expect(Object.keys(document.paths)).toEqual(
        expect.arrayContaining([
          "/logs",
          "/alerts",
          "/alerts/{alert_id}",
          "/whitelist",
          "/whitelist/{ip}",
          "/reports/monthly.pdf",
        ]),
      );
      expect(Object.keys(document.paths["/alerts"] ?? {})).toEqual(["get", "patch"]);
      const page = await api.request("/docs", { key: null });
      expect(await page.text()).toContain("swagger-ui-bundle.js");
      const bundle = await api.request("/docs/assets/swagger-ui-bundle.js", { key: null });
      expect(bundle.status).toBe(200);
      expect((await bundle.text()).length).toBeGreaterThan(100_000);
    });

    it("answers /readyz 503; only the read role learns which dependency is down and why", async () => {
      await api.close();
      api = await startTestApi({
        readinessChecks: {
          kafka: async () => {},
          elasticsearch: () => Promise.reject(new Error("connect ECONNREFUSED 10.0.3.7:9200")),
        },
      });
      const anonymous = await api.request("/readyz", { key: null });
      expect(anonymous.status).toBe(503);
      expect(await anonymous.json()).toEqual({ status: "not ready" });
      for (const key of ["ingest", "read"] as const) {
        const response = await api.request("/readyz", { key });
        expect(response.status).toBe(503);
        expect(await response.json()).toEqual(
          key === "read"
            ? { status: "not ready", checks: { kafka: "ok", elasticsearch: "connect ECONNREFUSED 10.0.3.7:9200" } }
            : { status: "not ready" },
        );
      }
      expect(
        await (
          await api.request("/readyz", { headers: { authorization: "Bearer forged-key-0123456789" }, key: null })
        ).json(),
      ).toEqual({ status: "not ready" });
    });

    it("exposes request metrics to the read role only, since detection counters would tell an attacker what was noticed", async () => {
      await api.request("/whitelist");
      expect((await api.request("/metrics", { key: null })).status).toBe(401);
      expect((await api.request("/metrics", { key: "ingest" })).status).toBe(403);
      const metrics = await api.request("/metrics", { key: "read" });
      expect(metrics.status).toBe(200);
      expect(await metrics.text()).toContain(
        'http_request_duration_seconds_count{service="api-test",method="GET",route="/whitelist",status="200"} 1',
      );
    });

    it("sends the security headers on every answer, errors and preflights included", async () => {
      const answers = [
        await api.request("/healthz", { key: null }),
        await api.request("/alerts", { key: null }),
        await api.request("/logs", { method: "POST", body: "{" }),
        await api.request("/nope"),
        await api.request("/openapi.json", { key: null }),
        await api.request("/alerts", {
          method: "OPTIONS",
          key: null,
          headers: { origin: "http://localhost:3000", "access-control-request-method": "PATCH" },
        }),
      ];
      for (const response of answers) {
        expect(response.headers.get("content-security-policy")).toBe("default-src 'none'; frame-ancestors 'none'");
        expect(response.headers.get("x-content-type-options")).toBe("nosniff");
        expect(response.headers.get("x-frame-options")).toBe("DENY");
        expect(response.headers.get("referrer-policy")).toBe("no-referrer");
      }
    });

    it("lets /docs run Swagger UI from its own files only, without inline script or a remembered key", async () => {
      const page = await api.request("/docs", { key: null });
      const csp = page.headers.get("content-security-policy") ?? "";
      expect(csp).toContain("script-src 'self';");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toMatch(/script-src[^;]*'unsafe-(inline|eval)'/);
      const html = await page.text();
      // Every script is a file of /docs/assets, and each of them is served.
      const scripts = [...html.matchAll(/<script\b([^>]*)>([^<]*)<\/script>/g)];
      expect(scripts.length).toBeGreaterThan(0);
      for (const [, attributes, inline] of scripts) {
        expect(inline?.trim()).toBe("");
        const src = /src="([^"]+)"/.exec(attributes ?? "")?.[1] ?? "";
        expect(src).toMatch(/^\/docs\/assets\//);
        expect((await api.request(src, { key: null })).status).toBe(200);
      }
      const initializer = await (await api.request("/docs/assets/swagger-initializer-soc.js", { key: null })).text();
      expect(initializer).toContain("persistAuthorization: false");
    });

    it("allows the configured dashboard origin through CORS and exposes the paging headers", async () => {
      const response = await api.request("/alerts", { headers: { origin: "http://localhost:3000" } });
      expect(response.headers.get("access-control-allow-origin")).toBe("http://localhost:3000");
      expect(response.headers.get("access-control-expose-headers")).toContain("X-Next-Cursor");
      const other = await api.request("/alerts", { headers: { origin: "http://evil.example" } });
      expect(other.headers.get("access-control-allow-origin")).toBeNull();
    });
  });
});

describe("API when Kafka cannot be reached", () => {
  it("answers 503 with Retry-After and never claims the log was accepted", async () => {
    const unreachable = createKafkaBus({
      brokers: ["127.0.0.1:1"],
      clientId: "api-test",
      logger: silentLogger(),
      publishTimeoutMs: 1_500,
    });
    // Real kafkajs against a port nothing listens on; the whitelist still follows an in-memory topic.
    const fallback = await startTestApi({
      bus: { ...createMemoryBus(), publish: (topic, messages) => unreachable.publish(topic, messages) },
    });
    try {
      const response = await fallback.request("/logs", {
        method: "POST",
        body: json({ message: "failed login from 1.2.3.4" }),
      });
      expect(response.status).toBe(503);
      expect(response.headers.get("retry-after")).toBe("5");
      expect(((await response.json()) as { detail: string }).detail).toMatch(/unavailable/);
    } finally {
      await fallback.close();
      await unreachable.close();
    }
  }, 20_000);
});
