import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { TOPICS } from "@soc/shared";
import { startTestApi, type TestApi } from "./testing.ts";

describe("POST /whitelist refuses what the operator and workers refuse", () => {
  let api: TestApi;
  beforeEach(async () => {
    api = await startTestApi();
  });
  afterEach(async () => {
    await api.close();
  });

  it.each(["0.0.0.0/0", "1.0.0.0/7", "::/0", "2001::/16"])("answers 400 for %s and publishes nothing", async (ip) => {
    const published: string[] = [];
    const watch = await api.deps.bus.follow(TOPICS.configUpdates, (message) => void published.push(message.value ?? ""));
    const response = await api.request("/whitelist", { method: "POST", body: JSON.stringify({ ip }) });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { detail: string }).detail).toMatch(/too broad/);
    expect((await (await api.request("/whitelist")).json()) as unknown).toEqual({ whitelisted_ips: [] });
    await watch.stop();
    expect(published).toEqual([]);
  });

  it("still accepts a /8 and an IPv6 /32", async () => {
    for (const ip of ["10.0.0.0/8", "2001:db8::/32"]) expect((await api.request("/whitelist", { method: "POST", body: JSON.stringify({ ip }) })).status).toBe(201);
    expect(await (await api.request("/whitelist")).json()).toEqual({ whitelisted_ips: ["10.0.0.0/8", "2001:db8::/32"] });
  });
});
