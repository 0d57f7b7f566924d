// Learning from triage through the HTTP API of the embedded pipeline (API and worker in one
// process): a false positive suppresses its template from its source until an analyst undoes it,
// and the suppression survives a restart (config-updates is kept under DATA_DIR).
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { ProcessedLog } from "@soc/shared";
import { eventually } from "@soc/shared/testing";
import { startEmbedded, type Embedded } from "./embedded.ts";

const KEYS = { alice: "admin-key-alice-0123456789", reader: "read-key-reader-0123456789" };

describe("learning from triage over HTTP (embedded pipeline)", { timeout: 60_000 }, () => {
  let pipeline: Embedded | undefined;
  afterEach(async () => {
    await pipeline?.close();
  });
  const freshDataDir = () => join(mkdtempSync(join(tmpdir(), "soc-embedded-triage-")), ".data");
  const start = async (dataDir: string) => {
    pipeline = await startEmbedded({
      env: {
        DATA_DIR: dataDir,
        API_PORT: "0",
        DASHBOARD_PORT: "0",
        LOG_LEVEL: "silent",
        API_KEYS: `admin@alice:${KEYS.alice},read@reader:${KEYS.reader}`,
      },
      print: () => undefined,
      distDir: join(dataDir, "no-dist"),
    });
    const url = pipeline.apiUrl;
    return (path: string, init: RequestInit & { key?: keyof typeof KEYS } = {}) =>
      fetch(`${url}${path}`, {
        ...init,
        headers: { authorization: `Bearer ${KEYS[init.key ?? "alice"]}`, "content-type": "application/json" },
      });
  };
  const post = (request: Awaited<ReturnType<typeof start>>, message: string, at: number) =>
    request("/logs", { method: "POST", body: JSON.stringify({ message, source: "billing", timestamp: at }) });

  it("PATCH false_positive → GET /suppressions shows who and when → the template is info from that source → DELETE → it alerts again", async () => {
    const dataDir = freshDataDir();
    let request = await start(dataDir);
    /** A keyword alert ("denied", medium); every order number shares one template. */
    const denied = async (order: number, at: number): Promise<ProcessedLog> => {
      const message = `payment denied for order ${order}`;
      expect((await post(request, message, at)).status).toBe(200);
      return eventually(async () => {
        const [doc] = (await (
          await request(`/alerts?rule=keyword&q=${encodeURIComponent(message)}`)
        ).json()) as ProcessedLog[];
        expect(doc).toBeDefined();
        return doc as ProcessedLog;
      });
    };

    const dismissed = await denied(1001, 1_700_000_000);
    expect(dismissed.severity).toBe("medium");
    const before = Date.now() / 1000;
    expect(
      (
        await request(`/alerts/${dismissed.id}`, {
          method: "PATCH",
          body: JSON.stringify({ status: "false_positive" }),
        })
      ).status,
    ).toBe(200);
    const listed = (await (await request("/suppressions", { key: "reader" })).json()) as Record<string, unknown>[];
    expect(listed).toEqual([
      {
        id: expect.stringMatching(/^[0-9a-f]{16}$/),
        source: "billing",
        pattern_id: dismissed.pattern?.id,
        template: dismissed.pattern?.template,
        severity: "medium",
        created_by: "alice",
        created_at: expect.any(Number),
        alert_id: dismissed.id,
      },
    ]);
    expect(listed[0]?.created_at as number).toBeGreaterThanOrEqual(Math.floor(before));
    expect(await denied(1002, 1_700_001_000)).toMatchObject({
      is_anomaly: true,
      severity: "info",
      pattern: { id: dismissed.pattern?.id },
    });

    // After a restart the suppression is still there, and still applied.
    await pipeline?.close();
    request = await start(dataDir);
    expect(await (await request("/suppressions")).json()).toEqual(listed);
    expect(await denied(1003, 1_700_001_500)).toMatchObject({ severity: "info" });

    const id = listed[0]?.id as string;
    expect((await request(`/suppressions/${id}`, { method: "DELETE", key: "reader" })).status).toBe(403);
    const removed = await request(`/suppressions/${id}`, { method: "DELETE" });
    expect(removed.status).toBe(200);
    expect(await removed.json()).toEqual(listed[0]);
    expect(await (await request("/suppressions")).json()).toEqual([]);
    const again = await request(`/suppressions/${id}`, { method: "DELETE" });
    expect(again.status).toBe(404);
    expect(await again.json()).toEqual({ detail: "Suppression not found", code: "not_found" });
    expect(await denied(1004, 1_700_002_000)).toMatchObject({ severity: "medium" });
  });

  it("a resolved keyword alert raises the template's later alerts from that source one step", async () => {
    const request = await start(freshDataDir());
    const keywordAlerts = () =>
      eventually(async () => (await (await request("/alerts?rule=keyword")).json()) as ProcessedLog[]);
    expect((await post(request, "payment error for order 1001", 1_700_000_000)).status).toBe(200);
    const [first] = await eventually(async () => {
      const docs = await keywordAlerts();
      expect(docs).toHaveLength(1);
      return docs;
    });
    expect(
      (await request("/alerts", { method: "PATCH", body: JSON.stringify({ ids: [first?.id], status: "resolved" }) }))
        .status,
    ).toBe(200);
    expect((await post(request, "payment error for order 1002", 1_700_000_060)).status).toBe(200);
    const later = await eventually(async () => {
      const docs = await keywordAlerts();
      expect(docs).toHaveLength(2);
      return docs[0] as ProcessedLog;
    });
    expect(later.pattern?.id).toBe(first?.pattern?.id);
    expect([first?.severity, later.severity]).toEqual(["medium", "high"]);
    expect(await (await request("/suppressions")).json()).toEqual([]);
  });
});
