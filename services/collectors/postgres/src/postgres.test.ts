import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { silentLogger, TOPICS } from "@soc/shared";
import { createMemoryBus, createMemoryCounters, createMemoryStore } from "@soc/shared/memory";
import { createRegistry } from "@soc/shared/telemetry";
import { eventually, missingInfra, realInfra } from "@soc/shared/testing";
import { createWorker, DEFAULT_KEYWORDS } from "@soc/worker";
import { collectorMetrics, createPullCollector, fileCursorStore } from "@soc/collector-framework";
import { csvlogSource } from "./csvlog-source.ts";

describe.skipIf(missingInfra("postgresUrl") || missingInfra("postgresLogDir"))("on a real PostgreSQL", () => {
  it("real failed psql logins from one address raise a brute-force alert", async () => {
    const source = csvlogSource(realInfra.postgresLogDir ?? "");
    const cursors = fileCursorStore(join(mkdtempSync(join(tmpdir(), "pg-cursor-")), "cursor"));
    await cursors.save(await source.cursorAtEnd());
    const url = new URL(realInfra.postgresUrl ?? "");
    for (let i = 0; i < 6; i++) {
      const attempt = spawnSync(
        "psql",
        ["-h", url.hostname, "-p", url.port, "-U", url.username, "-d", url.pathname.slice(1), "-c", "select 1"],
        {
          env: { ...process.env, PGPASSWORD: "not-the-password", PGCONNECT_TIMEOUT: "5" },
          encoding: "utf8",
        },
      );
      expect(attempt.stderr).toContain("password authentication failed");
    }

    const bus = createMemoryBus({ retryDelayMs: 10 });
    const store = createMemoryStore();
    const worker = createWorker({
      bus,
      store,
      counters: createMemoryCounters(),
      detection: {
        keywords: DEFAULT_KEYWORDS,
        bruteForce: { threshold: 5, windowSeconds: 300 },
        spike: { baselineMinutes: 60, minRequestsPerMinute: 30, sigma: 3 },
      },
      whitelistSeed: [],
      logger: silentLogger(),
      registry: createRegistry("pg-test", { defaultMetrics: false }),
    });
    await worker.start();
    try {
      const collector = createPullCollector({
        source,
        bus,
        cursors,
        logger: silentLogger(),
        metrics: collectorMetrics(createRegistry("pg-collector", { defaultMetrics: false })),
      });
      const published: string[] = [];
      await eventually(
        async () => {
          await collector.runOnce();
          const seen: string[] = [];
          await (await bus.follow(TOPICS.logs, (m) => seen.push(m.value ?? ""))).stop();
          published.splice(
            0,
            published.length,
            ...seen.filter((value) => value.includes("password authentication failed")),
          );
          expect(published.length).toBeGreaterThanOrEqual(6);
        },
        { timeoutMs: 15_000, intervalMs: 200 },
      );
      expect(JSON.parse(published[0] ?? "{}")).toMatchObject({ source: "postgresql", source_ip: "127.0.0.1" });
      const alert = await eventually(async () => {
        const found = (await store.search({ size: 10, rule: ["brute_force"] })).items;
        expect(found).toHaveLength(1);
        return found[0];
      });
      expect(alert?.reason).toBe("Brute-force attempt detected from 127.0.0.1 (5 attempts).");
    } finally {
      await worker.stop();
    }
  }, 60_000);
});
