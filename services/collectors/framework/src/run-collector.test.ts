// A collector as its process runs it, on a real Kafka: the ops endpoints, a pull round and a drain
// delivery reaching the topic, and the shutdown that lets a round in flight finish before the bus closes.
import { once } from "node:events";
import { mkdtempSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { silentLogger, type LogMessage } from "@soc/shared";
import { createKafkaBus, type KafkaBus } from "@soc/shared/kafka";
import { missingInfra, realInfra, uniqueName } from "@soc/shared/testing";
import { parseJsonLines, type DrainSource } from "./drain.ts";
import type { PullSource } from "./pull.ts";
import { startCollector, type CollectorEnv, type CollectorSources } from "./run-collector.ts";

const drain: DrainSource = {
  checkCredentials: (request) =>
    request.headers["x-token"] === "t" ? null : { status: 401, detail: "missing x-token" },
  parse: (raw) => parseJsonLines(raw).map((line) => ({ message: String(line) })),
};

/** A pull source whose first poll waits until the test releases it. */
function heldSource() {
  let release: () => void = () => undefined;
  const released = new Promise<void>((resolve) => (release = resolve));
  let polled: () => void = () => undefined;
  const firstPoll = new Promise<void>((resolve) => (polled = resolve));
  const source: PullSource = {
    name: "held",
    async poll(cursor) {
      polled();
      await released;
      const logs: LogMessage[] = cursor === null ? [{ message: "pulled while stopping", source: "held" }] : [];
      return { logs, cursor: "after-first-round" };
    },
  };
  return { source, firstPoll, release };
}

describe.skipIf(missingInfra("kafkaBroker"))("startCollector on a real Kafka", () => {
  let reader: KafkaBus;
  const topic = uniqueName("collector-logs");
  const env = (port = 0): CollectorEnv => ({
    KAFKA_BROKER: realInfra.kafkaBroker ?? "",
    KAFKA_SECURITY_PROTOCOL: "PLAINTEXT",
    TOPIC_LOGS: topic,
    TOPIC_CONFIG_UPDATES: `${topic}-config`,
    TOPIC_HIGH_PRIORITY_ALERTS: `${topic}-alerts`,
    LOG_LEVEL: "silent",
    COLLECTOR_PORT: port,
  });
  const published = async (): Promise<string[]> => {
    const values: string[] = [];
    await (await reader.follow(topic, (message) => values.push(message.value ?? ""))).stop();
    return values.map((value) => (JSON.parse(value) as LogMessage).message);
  };

  beforeAll(async () => {
    reader = createKafkaBus({
      brokers: [realInfra.kafkaBroker ?? ""],
      clientId: uniqueName("collector-reader"),
      logger: silentLogger(),
    });
    await reader.ensureTopics([{ topic, partitions: 1, config: {} }]);
  });
  afterAll(async () => {
    await reader.close();
  });

  it("serves probes and metrics, publishes drain and pull logs, and on stop finishes the round in flight before closing", async () => {
    const held = heldSource();
    const cursorFile = join(mkdtempSync(join(tmpdir(), "collector-cursor-")), "cursor");
    const sources: CollectorSources = { pull: { source: held.source, cursorFile, intervalSeconds: 0.05 }, drain };
    const collector = await startCollector({ name: "test", parseEnv: () => env(), sources: () => sources }, env());
    const base = `http://127.0.0.1:${collector.port}`;

    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect((await fetch(base, { method: "POST", body: '"no token"' })).status).toBe(401);
    expect(
      (await fetch(base, { method: "POST", body: '"received by the drain"', headers: { "x-token": "t" } })).status,
    ).toBe(200);
    expect(await (await fetch(`${base}/metrics`)).text()).toMatch(
      /^collector_published_total\{source="test"[^}]*\} 1$/m,
    );

    await held.firstPoll;
    let stopped = false;
    const stopping = collector.stop().then(() => (stopped = true));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(stopped).toBe(false);
    held.release();
    await stopping;

    expect(await published()).toEqual(["received by the drain", "pulled while stopping"]);
    expect(readFileSync(cursorFile, "utf8")).toBe("after-first-round");
    await expect(fetch(`${base}/readyz`)).rejects.toThrow();
    await collector.stop();
  });

  it("fails to start when its port is taken, naming the port", async () => {
    const blocker = createServer().listen(0, "0.0.0.0");
    await once(blocker, "listening");
    const taken = (blocker.address() as { port: number }).port;
    try {
      await expect(
        startCollector({ name: "test", parseEnv: () => env(taken), sources: () => ({ drain }) }, env(taken)),
      ).rejects.toThrow(/EADDRINUSE.*\d+/);
    } finally {
      blocker.close();
    }
  });
});
