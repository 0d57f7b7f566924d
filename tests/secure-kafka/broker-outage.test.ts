/**
 * The SASL_SSL broker goes away and comes back under a running pipeline (API, worker and alerter,
 * each signed in as its own principal), none of which is restarted. The broker is stopped and
 * started with scripts/infra/kafka-secure.sh, as an operator would restart a broker: it serves
 * only tests, which vitest runs one file at a time, so a test may do that (the shared plaintext
 * broker is never stopped), and it is started again, and its ACL check passed, whatever the
 * test's outcome.
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Worker } from "@soc/worker";
import { eventually, missingInfra } from "@soc/shared/testing";
import { SLACK, startFakeWebhook, type FakeWebhook } from "@soc/alerter/testing";
import { SECURE_KAFKA } from "../e2e/kafka-targets.ts";
import { api, createRealPipeline, slackMessages, type RealPipeline } from "../e2e/real-pipeline.ts";

const skip = SECURE_KAFKA.missing || missingInfra("elasticsearchUrl") || missingInfra("redisUrl");
const SCRIPT = join(import.meta.dirname, "..", "..", "scripts", "infra", "kafka-secure.sh");

/** `kafka-secure.sh up|down`, in its own session: the broker it starts must outlive this test run. */
async function brokerScript(command: "up" | "down"): Promise<void> {
  const child = spawn("bash", [SCRIPT, command], {
    cwd: join(import.meta.dirname, "..", ".."),
    detached: true,
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const [code] = (await once(child, "exit")) as [number | null];
  if (code !== 0) throw new Error(`kafka-secure.sh ${command} exited with ${code}: ${stderr}`);
}

describe.skipIf(skip)("the SASL_SSL broker stopping and coming back under a running pipeline", () => {
  let pipeline: RealPipeline;
  let worker: Worker;
  let slack: FakeWebhook;
  let call: ReturnType<typeof api>;
  let brokerDown = false;

  beforeAll(async () => {
    pipeline = await createRealPipeline(SECURE_KAFKA);
    slack = await startFakeWebhook(SLACK.ok);
    const [started, startedWorker] = await Promise.all([
      pipeline.startApi(),
      pipeline.startWorker(),
      pipeline.startAlerter([slack.url]),
    ]);
    call = api(started.url);
    worker = startedWorker;
  }, 120_000);

  afterAll(async () => {
    if (brokerDown) await brokerScript("up");
    await pipeline?.close();
    await slack?.close();
  }, 180_000);

  const post = (messages: string[]): Promise<Response> =>
    call("/logs", { method: "POST", body: JSON.stringify(messages.map((message) => ({ message }))) });
  const storedMessages = async (): Promise<string[]> => {
    await pipeline.store.client.indices.refresh({ index: pipeline.index });
    return (await pipeline.store.search({ size: 1_000 })).items.map((doc) => doc.message);
  };

  it("answers 503 while it is down, then takes logs again: nothing accepted is lost or stored twice, and alerts and whitelist changes flow again", async () => {
    const accepted: string[] = [];
    const before = Array.from({ length: 20 }, (_, i) => `request ${i} served before the outage`);
    expect((await post(before)).status).toBe(200);
    accepted.push(...before);
    await eventually(async () => expect((await storedMessages()).length).toBe(20), {
      timeoutMs: 20_000,
      intervalMs: 200,
    });

    brokerDown = true;
    await brokerScript("down");
    const refusedAt = Date.now();
    const refused = await post(["request served during the outage"]);
    const refusedAfterMs = Date.now() - refusedAt;
    expect(refused.status).toBe(503);
    expect(refused.headers.get("retry-after")).toMatch(/^[1-9][0-9]*$/);
    expect(((await refused.json()) as { detail: string }).detail).toMatch(/unavailable/i);
    expect(refusedAfterMs).toBeLessThan(10_000);
    expect((await call("/readyz")).status).toBe(503);

    const downFor = Date.now();
    await brokerScript("up");
    brokerDown = false;
    const restartMs = Date.now() - downFor;

    // From here a client as the API asks: on 503 it sends again after Retry-After (shortened here).
    // Each attempt is a new message, so a refused log that was written after all shows as an
    // extra message instead of hiding as a duplicate.
    const backAt = Date.now();
    const refusedAfterReturn: string[] = [];
    const submit = async (message: string): Promise<void> => {
      for (let attempt = 1; ; attempt++) {
        const sent = `${message}, attempt ${attempt}`;
        const response = await post([sent]);
        if (response.status === 200) return void accepted.push(sent);
        expect(response.status).toBe(503);
        refusedAfterReturn.push(((await response.json()) as { detail: string }).detail);
        expect(Date.now() - backAt, `still refused: ${refusedAfterReturn.at(-1)}`).toBeLessThan(60_000);
        await new Promise((resolve) => setTimeout(resolve, 1_000));
      }
    };
    await submit("request served after the outage");
    const acceptingAfterMs = Date.now() - backAt;
    await eventually(async () => expect(await storedMessages()).toContain(accepted.at(-1)), {
      timeoutMs: 60_000,
      intervalMs: 200,
    });
    const analysingAfterMs = Date.now() - backAt;

    for (let i = 0; i < 5; i++) await submit(`failed login attempt for user admin from 203.0.113.77 (${i})`);
    // The worker's and alerter's consumers came back by themselves: the alert reaches Slack.
    await eventually(
      () =>
        expect(slackMessages(slack).map((m) => m.text)).toEqual([
          expect.stringMatching(/^Security alert: brute-force attack detected\. 5 failed logins from 203\.0\.113\.77/),
        ]),
      { timeoutMs: 60_000, intervalMs: 200 },
    );
    const alertedAfterMs = Date.now() - backAt;

    // So did the worker's whitelist follower (an admin, too, retries a 503).
    await eventually(
      async () =>
        expect(
          (await call("/whitelist", { method: "POST", body: JSON.stringify({ ip: "198.51.100.77" }) })).status,
        ).toBe(201),
      { timeoutMs: 30_000, intervalMs: 1_000 },
    );
    await eventually(() => expect(worker.whitelist.entries()).toContain("198.51.100.77"), { timeoutMs: 20_000 });

    const stored = await eventually(
      async () => {
        const messages = await storedMessages();
        expect(messages).toEqual(expect.arrayContaining(accepted));
        return messages;
      },
      { timeoutMs: 20_000, intervalMs: 500 },
    );
    expect(new Set(stored).size).toBe(stored.length);
    // Besides the accepted logs, only attempts answered 503 may be there.
    const refusedButStored = stored.filter((m) => !accepted.includes(m));
    expect(refusedButStored.length).toBeLessThanOrEqual(refusedAfterReturn.length + 1);
    console.log(
      `503 after ${refusedAfterMs} ms while down; broker restarted in ${restartMs} ms; POST /logs answered 200 again ${acceptingAfterMs} ms later; ` +
        `${refusedAfterReturn.length} more 503s after it was back (${[...new Set(refusedAfterReturn)].join(" | ")}); ` +
        `the worker stored a log again after ${analysingAfterMs} ms, the brute force reached Slack after ${alertedAfterMs} ms; ${accepted.length} accepted, ${stored.length} stored (${refusedButStored.length} of them refused), none twice`,
    );
  }, 240_000);
});
