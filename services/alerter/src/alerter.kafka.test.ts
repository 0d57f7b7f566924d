import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { afterAll, describe, expect, it } from "vitest";
import { pipelineTopicSpecs, silentLogger } from "@soc/shared";
import { createKafkaBus } from "@soc/shared/kafka";
import { eventually, missingInfra, realInfra, uniqueName } from "@soc/shared/testing";
import { bruteForceAlert } from "./testing/fixtures.ts";
import { SLACK, startFakeWebhook } from "./testing/fake-webhook.ts";

const skip = missingInfra("kafkaBroker") || missingInfra("redisUrl");

describe.skipIf(skip)("alerter process killed in the middle of a burst, on real Kafka", () => {
  const children: ChildProcess[] = [];
  afterAll(() => {
    for (const child of children) {
      try {
        process.kill(-(child.pid ?? 0), "SIGKILL");
      } catch {
        // already gone
      }
    }
  });

  // SIGTERM (a Kubernetes restart) stops between alerts: exactly once. After SIGKILL the one
  // notification in flight may have reached the webhook unrecorded: webhooks take no idempotency key.
  it.each([
    ["SIGTERM", 0],
    ["SIGKILL", 1],
  ] as const)(
    "loses nothing after %s mid-burst, and re-sends at most %i",
    async (signal, maxRepeats) => {
      const name = uniqueName("alerter");
      const topics = { logs: `${name}-logs`, configUpdates: `${name}-config`, highPriorityAlerts: `${name}-alerts` };
      const bus = createKafkaBus({ brokers: [realInfra.kafkaBroker ?? ""], clientId: name, logger: silentLogger() });
      await bus.ensureTopics(pipelineTopicSpecs(topics));
      // A slow webhook, so the kill lands while a batch is half delivered.
      const slack = await startFakeWebhook(SLACK.ok, { delayMs: 40 });
      const start = (): ChildProcess => {
        const child = spawn("npx", ["tsx", "services/alerter/src/main.ts"], {
          env: {
            ...process.env,
            KAFKA_BROKER: realInfra.kafkaBroker,
            REDIS_URL: realInfra.redisUrl,
            SLACK_WEBHOOK_URLS: slack.url,
            TOPIC_LOGS: topics.logs,
            TOPIC_CONFIG_UPDATES: topics.configUpdates,
            TOPIC_HIGH_PRIORITY_ALERTS: topics.highPriorityAlerts,
            ALERTER_PORT: "0",
            ALERTER_GROUP_ID: `${name}-alerter`,
            LOG_LEVEL: "warn",
          },
          stdio: "ignore",
          detached: true,
        });
        children.push(child);
        return child;
      };
      const total = 60;
      const ids = Array.from({ length: total }, (_, i) => `${name}-${i}`);
      // Distinct IPs: noise control must not fold any of them.
      await bus.publish(
        topics.highPriorityAlerts,
        ids.map((id, i) => ({
          value: JSON.stringify(
            bruteForceAlert({ alert_id: id, log_id: id, source_ip: `198.51.${Math.floor(i / 250)}.${i % 250}` }),
          ),
        })),
      );
      const first = start();
      await eventually(() => expect(slack.received.length).toBeGreaterThanOrEqual(10), {
        timeoutMs: 60_000,
        intervalMs: 20,
      });
      process.kill(-(first.pid ?? 0), signal);
      await once(first, "exit");
      const deliveredBeforeKill = slack.received.length;
      start();
      const links = (): string[] =>
        slack.received.map(
          (body) => (body as { blocks: { elements?: { url: string }[] }[] }).blocks.at(-1)?.elements?.[0]?.url ?? "",
        );
      await eventually(() => expect(new Set(links()).size).toBe(total), { timeoutMs: 90_000, intervalMs: 100 });
      await new Promise((resolve) => setTimeout(resolve, 2_000)); // anything sent twice would arrive by now
      expect(new Set(links())).toEqual(new Set(ids.map((id) => `http://localhost:3000/#/alerts?id=${id}`)));
      const repeats = links().length - total;
      expect(repeats).toBeLessThanOrEqual(maxRepeats);
      console.log(
        `${signal} after ${deliveredBeforeKill} of ${total} notifications; after restart all ${total} delivered, ${repeats} repeated`,
      );
      await slack.close();
      await bus.close();
    },
    180_000,
  );
});
