import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { silentLogger } from "../logger.ts";
import { missingInfra, realInfra, uniqueName } from "../testing/infra.ts";
import { busContract } from "./bus.contract.ts";
import { createKafkaBus, regroupDelayMs } from "./kafka-bus.ts";

describe("regroupDelayMs: how long the next request waits for the callers the last one answered", () => {
  const last = { publishes: 10, at: 1_000 };

  it("leaves at once after a request that answered a single publish, or none yet", () => {
    expect(regroupDelayMs(1, { publishes: 1, at: 1_000 }, 1_000, 2)).toBe(0);
    expect(regroupDelayMs(1, { publishes: 0, at: 0 }, 1_000, 2)).toBe(0);
  });

  it("leaves at once when as many publishes as it answered are pending", () => {
    expect(regroupDelayMs(10, last, 1_000, 2)).toBe(0);
    expect(regroupDelayMs(12, last, 1_000.5, 2)).toBe(0);
  });

  it("waits out the rest of the window after the acknowledgement, never longer", () => {
    expect(regroupDelayMs(3, last, 1_000, 2)).toBe(2);
    expect(regroupDelayMs(3, last, 1_001.5, 2)).toBeCloseTo(0.5);
    expect(regroupDelayMs(3, last, 1_003, 2)).toBe(0);
  });

  it("never waits with a window of 0", () => {
    expect(regroupDelayMs(1, last, 1_000, 0)).toBe(0);
  });
});

describe.skipIf(missingInfra("kafkaBroker"))("Kafka bus on a real broker", () => {
  busContract(async () => {
    const bus = createKafkaBus({
      brokers: [realInfra.kafkaBroker ?? ""],
      clientId: uniqueName("contract"),
      logger: silentLogger(),
    });
    return {
      bus,
      async createTopic(prefix) {
        const topic = uniqueName(`contract-${prefix}`);
        await bus.ensureTopics([{ topic, partitions: 1, config: {} }]);
        return topic;
      },
    };
  });

  // A fresh process, since Node prints a TimeoutNegativeWarning only once per process.
  it("stays quiet once idle: no TimeoutNegativeWarning, no timer re-armed every millisecond", async () => {
    const probe = `
      import { createKafkaBus } from "./src/bus/kafka-bus.ts";
      import { silentLogger } from "./src/logger.ts";
      const [broker, topic] = process.argv.slice(-2);
      const bus = createKafkaBus({ brokers: [broker], clientId: topic, logger: silentLogger() });
      await bus.ensureTopics([{ topic, partitions: 1, config: {} }]);
      await bus.publish(topic, [{ key: null, value: "x" }]);
      const setTimer = globalThis.setTimeout;
      let armed = 0;
      globalThis.setTimeout = (...args) => { armed += 1; return setTimer(...args); };
      await new Promise((resolve) => setTimer(resolve, 300));
      globalThis.setTimeout = setTimer;
      await bus.close();
      console.log(JSON.stringify({ armed }));
    `;
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      ["--import", "tsx", "--input-type=module", "-e", probe, realInfra.kafkaBroker ?? "", uniqueName("idle")],
      { cwd: fileURLToPath(new URL("../..", import.meta.url)) },
    );
    expect(stderr).not.toContain("TimeoutNegativeWarning");
    // kafkajs' unpatched queue re-arms a 1 ms timer per connection: hundreds in 300 ms.
    expect((JSON.parse(stdout.trim().split("\n").at(-1) ?? "{}") as { armed: number }).armed).toBeLessThan(20);
  }, 30_000);
});
