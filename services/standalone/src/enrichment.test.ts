// `make run` enriches as the worker service does: the embedded pipeline opens the bundled location
// databases (GEOIP_ENRICHMENT is on unless set to false) and its documents carry client.geo.
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { ProcessedLog } from "@soc/shared";
import { eventually } from "@soc/shared/testing";
import { startEmbedded } from "./embedded.ts";

async function postAndRead(env: Record<string, string>, message: string): Promise<ProcessedLog> {
  const dataDir = join(mkdtempSync(join(tmpdir(), "soc-embedded-geo-")), ".data");
  const pipeline = await startEmbedded({
    env: { DATA_DIR: dataDir, API_PORT: "0", DASHBOARD_PORT: "0", LOG_LEVEL: "silent", ...env },
    print: () => undefined,
    distDir: join(dataDir, "no-dist"),
  });
  try {
    const key = /^admin:(\S+)$/m.exec(readFileSync(join(dataDir, "api-keys"), "utf8"))?.[1] ?? "";
    const headers = { authorization: `Bearer ${key}`, "content-type": "application/json" };
    expect(
      (await fetch(`${pipeline.apiUrl}/logs`, { method: "POST", headers, body: JSON.stringify({ message }) })).status,
    ).toBe(200);
    return await eventually(async () => {
      const [doc] = (await (await fetch(`${pipeline.apiUrl}/alerts`, { headers })).json()) as ProcessedLog[];
      expect(doc).toBeDefined();
      return doc as ProcessedLog;
    });
  } finally {
    await pipeline.close();
  }
}

describe("the embedded pipeline's enrichment", { timeout: 60_000 }, () => {
  const line = "Dec 10 06:55:46 LabSZ sshd[24200]: Failed password for root from 8.8.8.8 port 22 ssh2";

  it("gives a public source address its country and network, beside the ECS fields", async () => {
    const doc = await postAndRead({}, line);
    expect(doc.client).toEqual({
      ip: "8.8.8.8",
      port: 22,
      geo: { country_iso_code: "US", country_name: "United States" },
      as: { number: 15169, organization: { name: expect.stringMatching(/google/i) } },
    });
    expect(doc).toMatchObject({ user: { name: "root" }, host: { name: "LabSZ" }, event: { outcome: "failure" } });
  });

  it("adds no location with GEOIP_ENRICHMENT=false", async () => {
    const doc = await postAndRead({ GEOIP_ENRICHMENT: "false" }, line);
    expect(doc.client).toEqual({ ip: "8.8.8.8", port: 22 });
  });
});
