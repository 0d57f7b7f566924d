// The CronJob's command as the image runs it, against the real Elasticsearch: a run deletes the
// indices past retention, keeps the rest, and says what it did; a bad setting fails the Job.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import type { ProcessedLog } from "@soc/shared";
import { createElasticsearchStore } from "@soc/shared/elasticsearch";
import { missingInfra, realInfra, uniqueName } from "@soc/shared/testing";

const main = fileURLToPath(new URL("./main.ts", import.meta.url));
const DAY = 86_400;

async function run(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, ["--import", "tsx", main], {
    env: { PATH: process.env.PATH ?? "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += String(chunk)));
  child.stderr.on("data", (chunk: Buffer) => (output += String(chunk)));
  const [code] = (await once(child, "exit")) as [number | null];
  return { code, output };
}

const log = (id: string, timestamp: number, is_anomaly: boolean): ProcessedLog => ({
  id,
  message: id,
  timestamp,
  status: "new",
  is_anomaly,
  reason: null,
  source_ip: null,
});

describe.skipIf(missingInfra("elasticsearchUrl"))("the retention run (services/retention/src/main.ts)", () => {
  const index = uniqueName("retention-job");
  const url = realInfra.elasticsearchUrl ?? "";
  afterAll(async () => {
    const store = createElasticsearchStore({ url, index });
    await store.dropIndices();
    await store.close();
  });

  it("deletes the indices past RETENTION_NORMAL_DAYS and RETENTION_ANOMALY_DAYS and logs them", async () => {
    const now = Date.now() / 1000;
    // Written 60 days ago, by a worker whose clock said so.
    const then = createElasticsearchStore({ url, index, refreshOnWrite: true, now: () => now - 60 * DAY });
    await then.ensureReady();
    await then.bulkIndex([log("old-normal", now - 60 * DAY, false), log("old-incident", now - 60 * DAY, true)]);
    await then.close();

    const { code, output } = await run({
      ELASTICSEARCH_URL: url,
      ELASTICSEARCH_INDEX: index,
      RETENTION_NORMAL_DAYS: "30",
      RETENTION_ANOMALY_DAYS: "400",
    });
    expect(code, output).toBe(0);
    const line = JSON.parse(output.split("\n").find((text) => text.includes("retention run done")) ?? "{}") as {
      deletedIndices?: string[];
    };
    expect(line.deletedIndices).toHaveLength(1);
    expect(line.deletedIndices?.[0]).toMatch(new RegExp(`^${index}-normal-\\d{4}\\.\\d{2}\\.\\d{2}$`));

    const store = createElasticsearchStore({ url, index });
    expect((await store.search({ size: 10 })).items.map((doc) => doc.id)).toEqual(["old-incident"]);
    await store.close();
  });

  it("fails the Job, naming the setting, on a bad policy", async () => {
    const { code, output } = await run({
      ELASTICSEARCH_URL: url,
      ELASTICSEARCH_INDEX: index,
      RETENTION_NORMAL_DAYS: "0",
    });
    expect(code).toBe(1);
    expect(output).toContain("RETENTION_NORMAL_DAYS: expected at least 1 day");
  });
});
