/**
 * What SASL_SSL costs on the bus, beside plaintext in the same run: produce latency (one message
 * per publish, acks=all, one after another) and produce throughput (batches of 1,000 from 4
 * concurrent publishers), as the `api` principal on the secured broker (its ACLs checked) and
 * unauthenticated on the plaintext one. Needs the infra env (KAFKA_BROKER, KAFKA_SECURE_*).
 * Usage: npx tsx bench/kafka-security.ts [messages]
 */
import { readFileSync } from "node:fs";
import { Secret, silentLogger } from "@soc/shared";
import { createKafkaBus, type KafkaBus, type KafkaSecurity } from "@soc/shared/kafka";
import { logLine } from "./documents.ts";

const total = Number(process.argv[2] ?? 100_000);
const probes = 500;
const env = (name: string): string => {
  const value = process.env[name];
  if (value === undefined || value === "") throw new Error(`${name} is not set: run make infra-up and source its env`);
  return value;
};
const secure: KafkaSecurity = {
  protocol: "SASL_SSL",
  sasl: { mechanism: "SCRAM-SHA-512", username: "api", password: new Secret(env("KAFKA_SECURE_PASSWORD_API")) },
  tls: { ca: readFileSync(env("KAFKA_SECURE_CA_FILE"), "utf8") },
};
const adminSecurity: KafkaSecurity = {
  ...secure,
  sasl: { mechanism: "SCRAM-SHA-512", username: "admin", password: new Secret(env("KAFKA_SECURE_PASSWORD_ADMIN")) },
};

async function measure(
  label: string,
  broker: string,
  security: KafkaSecurity,
  admin: KafkaBus,
): Promise<Record<string, unknown>> {
  const topic = `bench-kafka-security-${label}-${Date.now().toString(36)}`;
  await admin.ensureTopics([{ topic, partitions: 6, config: {} }]);
  if (security.sasl !== undefined && "username" in security.sasl)
    await admin.ensureAcls([
      {
        principal: `User:${security.sasl.username}`,
        resource: "topic",
        name: topic,
        pattern: "literal",
        operation: "write",
      },
    ]);
  const bus = createKafkaBus({ brokers: [broker], clientId: `bench-${label}`, logger: silentLogger(), security });
  try {
    await bus.publish(topic, [{ value: "warm-up" }]);
    const latencies: number[] = [];
    for (let i = 0; i < probes; i++) {
      const started = performance.now();
      await bus.publish(topic, [{ key: String(i), value: logLine(i) }]);
      latencies.push(performance.now() - started);
    }
    latencies.sort((a, b) => a - b);
    const quantile = (q: number): number =>
      +(latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0).toFixed(2);

    let next = 0;
    const publisher = async (): Promise<void> => {
      while (next < total) {
        const from = next;
        next += 1_000;
        await bus.publish(
          topic,
          Array.from({ length: Math.min(1_000, total - from) }, (_, i) => ({ value: logLine(from + i) })),
        );
      }
    };
    const started = performance.now();
    await Promise.all(Array.from({ length: 4 }, publisher));
    const seconds = (performance.now() - started) / 1000;
    return {
      bench: "kafka-security",
      protocol: security.protocol,
      messages: total,
      messagesPerSecond: Math.round(total / seconds),
      produceP50Ms: quantile(0.5),
      produceP99Ms: quantile(0.99),
    };
  } finally {
    await bus.close();
  }
}

const plainAdmin = createKafkaBus({ brokers: [env("KAFKA_BROKER")], clientId: "bench-admin", logger: silentLogger() });
const secureAdmin = createKafkaBus({
  brokers: [env("KAFKA_SECURE_BROKER")],
  clientId: "bench-admin",
  logger: silentLogger(),
  security: adminSecurity,
});
try {
  console.log(JSON.stringify(await measure("plaintext", env("KAFKA_BROKER"), { protocol: "PLAINTEXT" }, plainAdmin)));
  console.log(JSON.stringify(await measure("sasl-ssl", env("KAFKA_SECURE_BROKER"), secure, secureAdmin)));
} finally {
  await Promise.allSettled([plainAdmin.close(), secureAdmin.close()]);
}
