import { describe } from "vitest";
import { silentLogger } from "../logger.ts";
import { missingInfra, realInfra, uniqueName } from "../testing/infra.ts";
import { busContract } from "./bus.contract.ts";
import { createKafkaBus } from "./kafka-bus.ts";

describe.skipIf(missingInfra("kafkaBroker"))("Kafka bus on a real broker", () => {
  busContract(async () => {
    const bus = createKafkaBus({ brokers: [realInfra.kafkaBroker ?? ""], clientId: uniqueName("contract"), logger: silentLogger() });
    return {
      bus,
      async createTopic(prefix) {
        const topic = uniqueName(`contract-${prefix}`);
        await bus.ensureTopics([{ topic, partitions: 1, config: {} }]);
        return topic;
      },
    };
  });
});
