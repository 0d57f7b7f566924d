import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { silentLogger } from "../logger.ts";
import { missingInfra, realInfra, uniqueName } from "../testing/infra.ts";
import { busContract } from "./bus.contract.ts";
import { createKafkaBus } from "./kafka-bus.ts";

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
