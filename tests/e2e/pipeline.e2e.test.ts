import { once } from "node:events";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { IncomingMessage, ProcessedLog } from "@soc/shared";
import { eventually, missingInfra } from "@soc/shared/testing";
import { SLACK, startFakeWebhook, type FakeWebhook } from "@soc/alerter/testing";
import { PLAINTEXT_KAFKA, SECURE_KAFKA } from "./kafka-targets.ts";
import { api, createRealPipeline, killGroup, slackMessages, type RealPipeline } from "./real-pipeline.ts";

const skip = missingInfra("elasticsearchUrl") || missingInfra("redisUrl");

for (const kafka of [PLAINTEXT_KAFKA, SECURE_KAFKA]) {
  describe.skipIf(skip || kafka.missing)(`the pipeline on real Kafka, Elasticsearch and Redis (${kafka.label})`, () => {
    let pipeline: RealPipeline;
    let slack: FakeWebhook;
    let call: ReturnType<typeof api>;
    let apiWhitelist: () => string[];
    let workerWhitelist: () => string[];

    beforeAll(async () => {
      pipeline = await createRealPipeline(kafka);
      slack = await startFakeWebhook(SLACK.ok);
      const [started, worker] = await Promise.all([
        pipeline.startApi(),
        pipeline.startWorker(),
        pipeline.startAlerter([slack.url]),
      ]);
      call = api(started.url);
      apiWhitelist = started.whitelist;
      workerWhitelist = () => worker.whitelist.entries();
    }, 120_000);
    afterAll(async () => {
      await pipeline?.close();
      await slack?.close();
    });

    const alerts = async (query: string): Promise<ProcessedLog[]> =>
      (await (await call(`/alerts?${query}`)).json()) as ProcessedLog[];

    it("runs the contract's examples end to end: a failed login, then a brute force on Slack, then triage", async () => {
      const submit = () =>
        call("/logs", {
          method: "POST",
          body: JSON.stringify({ message: "failed login attempt for user admin from 192.168.1.105" }),
        });
      const first = await submit();
      expect(first.status).toBe(200);
      expect(await first.json()).toEqual({ status: "Log submitted successfully" });
      const [keyword] = await eventually(
        async () => {
          const found = await alerts("is_anomaly=true");
          expect(found).toHaveLength(1);
          return found;
        },
        { timeoutMs: 20_000 },
      );
      expect(keyword).toMatchObject({
        message: "failed login attempt for user admin from 192.168.1.105",
        is_anomaly: true,
        status: "new",
        reason: "Log contains anomalous keyword.",
        source_ip: "192.168.1.105",
      });

      for (let i = 0; i < 4; i++) expect((await submit()).status).toBe(200);
      const [bruteForce] = await eventually(
        async () => {
          const found = await alerts("is_anomaly=true&rule=brute_force");
          expect(found).toHaveLength(1);
          return found;
        },
        { timeoutMs: 20_000 },
      );
      expect(bruteForce?.reason).toBe("Brute-force attempt detected from 192.168.1.105 (5 attempts).");

      const patched = await call(`/alerts/${bruteForce?.id}`, {
        method: "PATCH",
        body: JSON.stringify({ status: "resolved" }),
      });
      expect(await patched.json()).toEqual({ status: "Alert status updated successfully" });
      expect((await alerts("is_anomaly=true&status=resolved")).map((a) => a.id)).toEqual([bruteForce?.id]);
      expect(
        (await call("/alerts/does-not-exist", { method: "PATCH", body: JSON.stringify({ status: "resolved" }) }))
          .status,
      ).toBe(404);

      const highPriority: IncomingMessage[] = [];
      await (await pipeline.admin.follow(pipeline.topics.highPriorityAlerts, (m) => highPriority.push(m))).stop();
      const published = highPriority.map((m) => JSON.parse(m.value ?? "{}") as { alert_id: string });
      expect(published).toEqual([
        expect.objectContaining({ type: "brute_force", source_ip: "192.168.1.105", count: 5, log_id: bruteForce?.id }),
      ]);
      // The alerter told Slack once, in plain English, linking to the alert.
      await eventually(() => expect(slack.received).toHaveLength(1), { timeoutMs: 20_000 });
      const [message] = slackMessages(slack);
      expect(message?.text).toMatch(
        /^Security alert: brute-force attack detected\. 5 failed logins from 192\.168\.1\.105/,
      );
      expect(message?.link).toBe(`http://localhost:3000/#/alerts?id=${published[0]?.alert_id}`);
    }, 90_000);

    it("whitelists an IP on the API and every replica's copy agrees within a second", async () => {
      const second = await pipeline.startApi();
      const added = await call("/whitelist", { method: "POST", body: JSON.stringify({ ip: "8.8.8.8" }) });
      expect(added.status).toBe(201);
      const started = Date.now();
      await eventually(
        () => {
          expect(workerWhitelist()).toContain("8.8.8.8");
          expect(second.whitelist()).toContain("8.8.8.8");
        },
        { timeoutMs: 5_000, intervalMs: 10 },
      );
      const agreedMs = Date.now() - started;
      console.log(`whitelist agreed on API replica 2 and the worker after ${agreedMs} ms`);
      expect(agreedMs).toBeLessThan(1_000);
      expect(apiWhitelist()).toContain("8.8.8.8");

      await call("/logs", {
        method: "POST",
        body: JSON.stringify({
          message: "sshd[3]: error: Received disconnect from 8.8.8.8 port 22:3: Auth fail [preauth]",
        }),
      });
      const [normal] = await eventually(
        async () => {
          const found = (await alerts("is_anomaly=false")).filter((a) => a.source_ip === "8.8.8.8");
          expect(found).toHaveLength(1);
          return found;
        },
        { timeoutMs: 20_000 },
      );
      expect(normal).toMatchObject({ is_anomaly: false, rule: "whitelist" });

      // An attacker who names the whitelisted address as the SSH user name is still the source, and still caught.
      const spoofed = (i: number) =>
        `Dec 10 07:07:3${i} LabSZ sshd[2420${i}]: Failed password for invalid user 8.8.8.8 from 203.0.113.9 port 424${i} ssh2`;
      const posted = await call("/logs", {
        method: "POST",
        body: JSON.stringify([0, 1, 2, 3, 4, 5].map((i) => ({ message: spoofed(i) }))),
      });
      expect(posted.status).toBe(200);
      const [caught] = await eventually(
        async () => {
          const found = await alerts("is_anomaly=true&rule=brute_force&source_ip=203.0.113.9");
          expect(found).toHaveLength(1);
          return found;
        },
        { timeoutMs: 20_000 },
      );
      expect(caught?.reason).toBe("Brute-force attempt detected from 203.0.113.9 (5 attempts).");
      expect((await alerts("source_ip=8.8.8.8")).filter((a) => a.message.includes("203.0.113.9"))).toEqual([]);

      expect((await call("/whitelist/8.8.8.8", { method: "DELETE" })).status).toBe(200);
      await eventually(() => expect(second.whitelist()).not.toContain("8.8.8.8"), { timeoutMs: 5_000 });
      await second.close();
    }, 60_000);

    it("sends malformed messages on the real logs topic to its dead-letter topic", async () => {
      await pipeline.admin.publish(pipeline.topics.logs, [{ value: "{broken" }]);
      const dead = await eventually(
        async () => {
          const seen: IncomingMessage[] = [];
          await (await pipeline.admin.follow(`${pipeline.topics.logs}-dlq`, (m) => seen.push(m))).stop();
          expect(seen).toHaveLength(1);
          return seen;
        },
        { timeoutMs: 20_000 },
      );
      expect(dead[0]?.value).toBe("{broken");
      expect(dead[0]?.headers["dlq-reason"]).toMatch(/invalid JSON/);
    }, 60_000);
  });

  describe.skipIf(skip || kafka.missing)(`a worker process killed mid-stream (${kafka.label})`, () => {
    let pipeline: RealPipeline;
    afterAll(async () => {
      await pipeline?.close();
    });

    it("leaves every accepted log in Elasticsearch exactly once after a restart", async () => {
      pipeline = await createRealPipeline(kafka);
      const { url, close } = await pipeline.startApi();
      const call = api(url);
      const total = 3_000;
      const first = pipeline.spawnWorkerProcess();
      // Batches of 100 keep arriving while the worker is killed without any chance to commit.
      for (let i = 0; i < total; i += 100) {
        const batch = Array.from({ length: 100 }, (_, j) => ({ message: `request ${i + j} served` }));
        expect((await call("/logs", { method: "POST", body: JSON.stringify(batch) })).status).toBe(200);
        if (i === 1_500) {
          await eventually(async () => expect((await pipeline.store.search({ size: 1 })).total).toBeGreaterThan(0), {
            timeoutMs: 60_000,
            intervalMs: 200,
          });
          killGroup(first);
          await once(first, "exit");
        }
      }
      const countBeforeRestart = (await pipeline.store.search({ size: 1 })).total;
      pipeline.spawnWorkerProcess();
      await eventually(
        async () => {
          await pipeline.store.client.indices.refresh({ index: pipeline.index });
          expect((await pipeline.store.search({ size: 1 })).total).toBe(total);
        },
        { timeoutMs: 90_000, intervalMs: 500 },
      );
      // Every message sent is there exactly once: no loss, no duplicate under another id.
      const messages: string[] = [];
      for (let cursor: string | undefined; ;) {
        const page = await pipeline.store.search({ size: 1_000, ...(cursor === undefined ? {} : { cursor }) });
        messages.push(...page.items.map((doc) => doc.message));
        if (page.next_cursor === null) break;
        cursor = page.next_cursor;
      }
      expect(messages).toHaveLength(total);
      expect(new Set(messages)).toEqual(new Set(Array.from({ length: total }, (_, i) => `request ${i} served`)));
      console.log(
        `worker killed with ${countBeforeRestart} of ${total} documents written; after restart ${total} documents, all distinct`,
      );
      await close();
    }, 240_000);
  });
}
