/**
 * A loopback server that answers like Slack's or Discord's incoming webhooks, with a scripted
 * sequence of answers (429 with a delay, 5xx, 404), recording what it received.
 */
import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

export interface ScriptedAnswer {
  status: number;
  body?: string;
  headers?: Record<string, string>;
}

export const SLACK = {
  ok: { status: 200, body: "ok" },
  rateLimited: (seconds: number): ScriptedAnswer => ({
    status: 429,
    body: "rate_limited",
    headers: { "retry-after": String(seconds) },
  }),
  gone: { status: 404, body: "no_service" },
  serverError: { status: 500, body: "internal_error" },
  invalidPayload: { status: 400, body: "invalid_payload" },
};

export const DISCORD = {
  ok: { status: 204 },
  rateLimited: (seconds: number): ScriptedAnswer => ({
    status: 429,
    body: JSON.stringify({ message: "You are being rate limited.", retry_after: seconds, global: false }),
    headers: { "content-type": "application/json", "retry-after": String(Math.ceil(seconds)) },
  }),
  unknownWebhook: {
    status: 404,
    body: JSON.stringify({ message: "Unknown Webhook", code: 10015 }),
    headers: { "content-type": "application/json" },
  },
};

export interface FakeWebhook {
  url: string;
  received: unknown[];
  requests: number;
  /** Answers for the next requests, in order; afterwards `fallback`. */
  script(...answers: ScriptedAnswer[]): void;
  close(): Promise<void>;
}

export async function startFakeWebhook(
  fallback: ScriptedAnswer,
  options: { delayMs?: number } = {},
): Promise<FakeWebhook> {
  const queue: ScriptedAnswer[] = [];
  const fake: FakeWebhook = {
    url: "",
    received: [],
    requests: 0,
    script: (...answers) => void queue.push(...answers),
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      fake.requests += 1;
      const answer = queue.shift() ?? fallback;
      if (answer.status < 300) fake.received.push(JSON.parse(Buffer.concat(chunks).toString("utf8")));
      setTimeout(
        () => response.writeHead(answer.status, answer.headers ?? {}).end(answer.body ?? ""),
        options.delayMs ?? 0,
      );
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/services/T000/B000/XXXXSECRETTOKEN`;
  return fake;
}
