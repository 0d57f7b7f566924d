/**
 * The worker with the bundled databases writing to real Elasticsearch: country and network land on the
 * document under the strict mapping, and on the alert the alerter renders.
 */
import { describe, expect, it } from "vitest";
import { silentLogger, TOPICS, type IncomingMessage } from "@soc/shared";
import { createMemoryBus, createMemoryCounters } from "@soc/shared/memory";
import { createElasticsearchStore } from "@soc/shared/elasticsearch";
import { createRegistry } from "@soc/shared/telemetry";
import { eventually, missingInfra, realInfra, uniqueName } from "@soc/shared/testing";
import { DEFAULT_KEYWORDS } from "../detection/config.ts";
import { createWorker } from "../worker.ts";
import { openEnrichment } from "./databases.ts";

const detection = {
  keywords: DEFAULT_KEYWORDS,
  bruteForce: { threshold: 5, windowSeconds: 300 },
  spike: { baselineMinutes: 60, minRequestsPerMinute: 1000, sigma: 3 },
};
const failedLogin = (address: string, i: number) => ({
  value: JSON.stringify({
    message: `sshd[1]: Failed password for root from ${address} port ${4000 + i} ssh2`,
    timestamp: 1_700_000_000 + i,
  }),
});

describe.skipIf(missingInfra("elasticsearchUrl"))("enrichment on real Elasticsearch", { timeout: 120_000 }, () => {
  it("indexes client.geo, client.as and client.network, and puts them on the alert", async () => {
    const store = createElasticsearchStore({
      url: realInfra.elasticsearchUrl ?? "",
      index: uniqueName("geo-logs"),
      refreshOnWrite: true,
    });
    const bus = createMemoryBus({ retryDelayMs: 10 });
    const enrich = await openEnrichment({});
    const worker = createWorker({
      bus,
      store,
      counters: createMemoryCounters(),
      detection,
      whitelistSeed: [],
      logger: silentLogger(),
      registry: createRegistry("geo-it", { defaultMetrics: false }),
      enrich,
    });
    try {
      await worker.start();
      await bus.publish(TOPICS.logs, [
        ...[0, 1, 2, 3, 4].map((i) => failedLogin("8.8.8.8", i)),
        failedLogin("::ffff:192.168.7.7", 5),
        failedLogin("bad.example", 6),
      ]);
      const docs = await eventually(async () => {
        const page = await store.search({ size: 10 });
        expect(page.items).toHaveLength(7);
        return page.items;
      });
      const google = {
        geo: { country_iso_code: "US", country_name: "United States" },
        as: { number: 15169, organization: { name: expect.stringMatching(/google/i) } },
      };
      // Beside the ECS address and port the line gives (docs/messages.md).
      expect(docs.filter((doc) => doc.source_ip === "8.8.8.8").map((doc) => doc.client)).toEqual(
        Array(5).fill({ ...google, ip: "8.8.8.8", port: expect.any(Number) }),
      );
      expect(docs.find((doc) => doc.source_ip === "192.168.7.7")?.client).toEqual({
        network: "private",
        ip: "192.168.7.7",
        port: 4005,
      });
      expect(docs.find((doc) => doc.source_host === "bad.example")?.client).toEqual({
        domain: "bad.example",
        port: 4006,
      });

      // Mapped, not only stored: a terms query on the keyword and long fields finds them.
      const byCountry = await store.client.count({
        index: store.index,
        query: {
          bool: {
            filter: [{ term: { "client.geo.country_iso_code": "US" } }, { term: { "client.as.number": 15169 } }],
          },
        },
      });
      expect(byCountry.count).toBe(5);

      const alerts: IncomingMessage[] = [];
      await (await bus.follow(TOPICS.highPriorityAlerts, (m) => alerts.push(m))).stop();
      expect(alerts.map((m) => JSON.parse(m.value ?? "{}") as unknown)).toEqual([
        expect.objectContaining({ type: "brute_force", source_ip: "8.8.8.8", client: google }),
      ]);
    } finally {
      await worker.stop();
      await store.client.indices.delete({ index: `${store.index}*`, ignore_unavailable: true }).catch(() => undefined);
      await store.close();
    }
  });
});
