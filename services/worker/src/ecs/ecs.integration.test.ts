/**
 * The worker writing ECS fields to real Elasticsearch under the strict mapping: a raw syslog line, a
 * syslog collector's message and loghub's OpenSSH sample, found again with term queries.
 */
import { describe, expect, it } from "vitest";
import { silentLogger, TOPICS } from "@soc/shared";
import { createMemoryBus, createMemoryCounters } from "@soc/shared/memory";
import { createElasticsearchStore } from "@soc/shared/elasticsearch";
import { createRegistry } from "@soc/shared/telemetry";
import { eventually, missingInfra, realInfra, uniqueName } from "@soc/shared/testing";
import { DEFAULT_KEYWORDS } from "../detection/config.ts";
import { readOpenSshSample } from "../loghub.ts";
import { createWorker } from "../worker.ts";

const detection = {
  keywords: DEFAULT_KEYWORDS,
  bruteForce: { threshold: 5, windowSeconds: 300 },
  spike: { baselineMinutes: 60, minRequestsPerMinute: 1000, sigma: 3 },
};

// Counted from the raw lines by words alone, apart from the parsers: sshd's own failure and success
// lines, PAM's failure lines (one per failed attempt, and its summaries), and sshd's refusals.
const FAILURE_WORDS = [
  ": Failed ",
  ": Invalid user ",
  "): authentication failure;",
  " more authentication failure",
  ": Disconnecting: Too many authentication failures",
  "Auth fail",
];
const countLines = (lines: string[], words: string[]) =>
  lines.filter((line) => !line.includes("message repeated") && words.some((word) => line.includes(word))).length;

describe.skipIf(missingInfra("elasticsearchUrl"))("ECS fields on real Elasticsearch", { timeout: 180_000 }, () => {
  it("stores user, client, event, host and process, and term queries find them", async () => {
    const store = createElasticsearchStore({
      url: realInfra.elasticsearchUrl ?? "",
      index: uniqueName("ecs-logs"),
      refreshOnWrite: true,
    });
    const bus = createMemoryBus({ retryDelayMs: 10 });
    const worker = createWorker({
      bus,
      store,
      counters: createMemoryCounters(),
      detection,
      whitelistSeed: [],
      logger: silentLogger(),
      registry: createRegistry("ecs-it", { defaultMetrics: false }),
    });
    const loghub = readOpenSshSample();
    const count = async (...filter: object[]) =>
      (await store.client.count({ index: store.index, query: { bool: { filter } } })).count;
    try {
      await worker.start();
      await bus.publish(TOPICS.logs, [
        {
          value: JSON.stringify({
            message: "Dec 10 06:55:46 LabSZ sshd[24200]: Failed password for root from 1.2.3.4 port 22 ssh2",
            source: "posted",
          }),
        },
        {
          value: JSON.stringify({
            message: "bastion sshd[812]: Accepted publickey for deploy from 2001:db8::5 port 50000 ssh2",
            source: "syslog",
            host: { name: "bastion" },
            process: { name: "sshd", pid: 812 },
            log: {
              syslog: {
                priority: 86,
                facility: { code: 10, name: "authpriv" },
                severity: { code: 6, name: "informational" },
              },
            },
          }),
        },
        ...loghub.map((log) => ({ value: JSON.stringify(log) })),
      ]);
      await eventually(async () => expect(await count()).toBe(loghub.length + 2), {
        timeoutMs: 120_000,
        intervalMs: 500,
      });

      const posted = (await store.client.search({ index: store.index, query: { term: { source: "posted" } } })).hits
        .hits[0]?._source;
      expect(posted).toMatchObject({
        source_ip: "1.2.3.4",
        host: { name: "LabSZ" },
        process: { name: "sshd", pid: 24200 },
        user: { name: "root" },
        client: { ip: "1.2.3.4", port: 22 },
        event: { category: ["authentication"], type: ["start"], outcome: "failure" },
      });
      expect(
        await count(
          { term: { source: "posted" } },
          { term: { "user.name": "root" } },
          { term: { "event.outcome": "failure" } },
          { term: { "host.name": "LabSZ" } },
          { term: { "process.pid": 24200 } },
        ),
      ).toBe(1);
      // client.ip is mapped as an address: a CIDR query matches it.
      expect(
        await count(
          { term: { source: "posted" } },
          { term: { "client.ip": "1.2.3.0/24" } },
          { term: { "client.port": 22 } },
        ),
      ).toBe(1);
      expect(
        await count(
          { term: { "user.name": "deploy" } },
          { term: { "event.outcome": "success" } },
          { term: { "host.name": "bastion" } },
          { term: { "client.ip": "2001:db8::/32" } },
        ),
      ).toBe(1);

      const lines = loghub.map((log) => log.message);
      const expected = { failure: countLines(lines, FAILURE_WORDS), success: countLines(lines, [": Accepted "]) };
      const stored = {
        failure: await count({ term: { source: "sshd" } }, { term: { "event.outcome": "failure" } }),
        success: await count({ term: { source: "sshd" } }, { term: { "event.outcome": "success" } }),
      };
      console.table({ grep: expected, stored });
      expect(expected.failure).toBeGreaterThan(1000);
      expect(stored).toEqual(expected);
      // Every loghub line has its host and program, and authentication events carry their category.
      expect(await count({ term: { "host.name": "LabSZ" } }, { term: { "process.name": "sshd" } })).toBe(
        loghub.length + 1,
      );
      expect(await count({ term: { "event.category": "authentication" } })).toBe(
        expected.failure + expected.success + 2,
      );
      expect(
        await count(
          { term: { "user.name": "fztu" } },
          { term: { "event.outcome": "success" } },
          { term: { "client.ip": "119.137.62.142" } },
        ),
      ).toBe(1);
    } finally {
      await worker.stop();
      await store.client.indices.delete({ index: `${store.index}*`, ignore_unavailable: true }).catch(() => undefined);
      await store.close();
    }
  });
});
