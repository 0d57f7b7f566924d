import { Redis } from "ioredis";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import type { PatternCatalogue, PatternSighting, ProcessedLog } from "@soc/shared";
import { createMemoryPatternCatalogue } from "@soc/shared/memory";
import { createRedisPatternCatalogue } from "@soc/shared/redis";
import { missingInfra, realInfra, uniqueName } from "@soc/shared/testing";
import { startTestApi, type TestApi } from "./testing.ts";

const ID = { failed: "00000000000000a1", closed: "00000000000000b2", cron: "00000000000000c3" };
const sighting = (id: string, template: string, at: number, lines = 1): PatternSighting => ({
  id,
  template,
  lines,
  firstSeen: at,
  lastSeen: at,
  sample: `${template} (a line)`,
  firstLogId: `logs-0-${at}`,
});

async function fill(catalogue: PatternCatalogue): Promise<void> {
  await catalogue.record({
    source: "sshd",
    lines: 3,
    firstSeen: 1_000,
    sightings: [
      sighting(ID.failed, "Failed password for <*> from <IP> port <NUM> ssh2", 1_000, 2),
      sighting(ID.closed, "Connection closed by <IP> [preauth]", 3_000),
    ],
    merged: [],
  });
  await catalogue.record({
    source: "cron",
    lines: 1,
    firstSeen: 2_000,
    sightings: [sighting(ID.cron, "backup job <NUM> done", 2_000)],
    merged: [],
  });
}

function patternsApi(makeCatalogue: () => Promise<PatternCatalogue>): void {
  let api: TestApi | undefined;
  afterEach(async () => {
    await api?.close();
  });
  const start = async () => {
    const patterns = await makeCatalogue();
    await fill(patterns);
    api = await startTestApi({ patterns });
    return api;
  };

  it("lists templates most recently seen first, to the read role", async () => {
    const { request } = await start();
    const response = await request("/patterns", { key: "read" });
    expect(response.status).toBe(200);
    expect(response.headers.get("x-total-count")).toBe("3");
    expect(response.headers.get("x-next-cursor")).toBeNull();
    const items = (await response.json()) as { id: string }[];
    expect(items.map((p) => p.id)).toEqual([ID.closed, ID.cron, ID.failed]);
    expect(items[2]).toEqual({
      id: ID.failed,
      source: "sshd",
      template: "Failed password for <*> from <IP> port <NUM> ssh2",
      count: 2,
      first_seen: 1_000,
      last_seen: 1_000,
      sample: "Failed password for <*> from <IP> port <NUM> ssh2 (a line)",
      first_log_id: "logs-0-1000",
      escalated: false,
    });
  });

  it("filters by source and pages with X-Next-Cursor", async () => {
    const { request } = await start();
    const first = await request("/patterns?source=sshd&limit=1", { key: "read" });
    expect(((await first.json()) as { id: string }[]).map((p) => p.id)).toEqual([ID.closed]);
    const cursor = first.headers.get("x-next-cursor") ?? "";
    const second = await request(`/patterns?source=sshd&limit=1&cursor=${cursor}`, { key: "read" });
    expect(((await second.json()) as { id: string }[]).map((p) => p.id)).toEqual([ID.failed]);
    expect(second.headers.get("x-next-cursor")).toBeNull();
    expect(((await (await request("/patterns?source=nginx", { key: "read" })).json()) as unknown[]).length).toBe(0);
  });

  it.each([
    ["a cursor it never issued", "/patterns?cursor=bm90LWEtY3Vyc29y", /cursor: not a cursor/],
    ["a limit of 0", "/patterns?limit=0", /limit/],
    ["a limit over 500", "/patterns?limit=501", /limit/],
  ])("answers 400 to %s", async (_, path, detail) => {
    const { request } = await start();
    const response = await request(path, { key: "read" });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { detail: string }).detail).toMatch(detail);
  });

  it("needs a key with the read role", async () => {
    const { request } = await start();
    expect((await request("/patterns", { key: null })).status).toBe(401);
    expect((await request("/patterns", { key: "ingest" })).status).toBe(403);
  });

  it("marks a template escalated when an analyst resolves an alert on it, not when it is dismissed", async () => {
    const { request, deps } = await start();
    const alert = (id: string, patternId: string, source: string): ProcessedLog => ({
      id,
      message: "m",
      timestamp: 1_000,
      status: "new",
      is_anomaly: true,
      reason: "Log contains anomalous keyword.",
      source_ip: null,
      rule: "keyword",
      source,
      pattern: { id: patternId, template: "t" },
      severity: "medium",
    });
    await deps.store.bulkIndex([alert("logs-0-1", ID.failed, "sshd"), alert("logs-0-2", ID.cron, "cron")]);
    expect(
      (await request("/alerts/logs-0-1", { method: "PATCH", body: JSON.stringify({ status: "resolved" }) })).status,
    ).toBe(200);
    expect(
      (
        await request("/alerts", {
          method: "PATCH",
          body: JSON.stringify({ ids: ["logs-0-2"], status: "false_positive" }),
        })
      ).status,
    ).toBe(200);
    const items = (await (await request("/patterns", { key: "read" })).json()) as { id: string; escalated: boolean }[];
    expect(Object.fromEntries(items.map((p) => [p.id, p.escalated]))).toEqual({
      [ID.closed]: false,
      [ID.cron]: false,
      [ID.failed]: true,
    });
  });
}

describe("GET /patterns on the in-memory catalogue", () => {
  patternsApi(async () => createMemoryPatternCatalogue());

  it("answers 503 when the API has no catalogue", async () => {
    const api = await startTestApi();
    try {
      const response = await api.request("/patterns", { key: "read" });
      expect(response.status).toBe(503);
      expect(await response.json()).toEqual({ detail: "This API has no pattern catalogue", code: "unavailable" });
    } finally {
      await api.close();
    }
  });
});

describe.skipIf(missingInfra("redisUrl"))("GET /patterns on the Redis catalogue", () => {
  const redis = new Redis(realInfra.redisUrl ?? "");
  const prefixes: string[] = [];
  afterAll(async () => {
    for (const prefix of prefixes) {
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length > 0) await redis.del(...keys);
    }
    redis.disconnect();
  });
  patternsApi(async () => {
    const prefix = `${uniqueName("api-patterns")}:`;
    prefixes.push(prefix);
    return createRedisPatternCatalogue(redis, prefix);
  });
});
