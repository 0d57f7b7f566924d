import { once } from "node:events";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { createMemoryBus } from "@soc/shared/memory";
import { createRegistry } from "@soc/shared/telemetry";
import { drainServer } from "./drain.ts";
import { drainCollectorListener } from "./ops.ts";

const servers: Server[] = [];
afterEach(() => servers.splice(0).forEach((server) => server.close()));

async function start(drain: Parameters<typeof drainCollectorListener>[1]) {
  const bus = createMemoryBus();
  const server = drainServer(
    drainCollectorListener({ registry: createRegistry("collector-test"), ready: () => bus.ping() }, drain),
  ).listen(0, "127.0.0.1");
  servers.push(server);
  await once(server, "listening");
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { bus, status: async (path: string, method = "GET") => (await fetch(base + path, { method })).status };
}

describe("a drain collector's port", () => {
  it("is ready without a drain (a pulling Supabase collector), and answers 404 for a drain request", async () => {
    const { status } = await start(null);
    expect(await status("/readyz")).toBe(200);
    expect(await status("/healthz")).toBe(200);
    expect(await status("/metrics")).toBe(200);
    expect(await status("/", "POST")).toBe(404);
  });

  it("is not ready while the bus cannot publish, and never hands the probe to the drain", async () => {
    const drained: string[] = [];
    const { bus, status } = await start(
      (request, response) => void (drained.push(request.url ?? ""), response.writeHead(200).end()),
    );
    expect(await status("/readyz")).toBe(200);
    await bus.close();
    expect(await status("/readyz")).toBe(503);
    expect(await status("/healthz")).toBe(200);
    expect(await status("/", "POST")).toBe(200);
    expect(drained).toEqual(["/"]);
  });
});
