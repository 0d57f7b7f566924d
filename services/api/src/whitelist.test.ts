import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { TOPICS, whitelistUpdateMessage } from "@soc/shared";
import { eventually } from "@soc/shared/testing";
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
    const watch = await api.deps.bus.follow(
      TOPICS.configUpdates,
      (message) => void published.push(message.value ?? ""),
    );
    const response = await api.request("/whitelist", { method: "POST", body: JSON.stringify({ ip }) });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { detail: string }).detail).toMatch(/too broad/);
    expect((await (await api.request("/whitelist")).json()) as unknown).toEqual({ whitelisted_ips: [], entries: [] });
    await watch.stop();
    expect(published).toEqual([]);
  });

  it("still accepts a /8 and an IPv6 /32", async () => {
    for (const ip of ["10.0.0.0/8", "2001:db8::/32"])
      expect((await api.request("/whitelist", { method: "POST", body: JSON.stringify({ ip }) })).status).toBe(201);
    expect(await (await api.request("/whitelist")).json()).toMatchObject({
      whitelisted_ips: ["10.0.0.0/8", "2001:db8::/32"],
    });
  });
});

describe("entries an IpWhitelist owns are managed in Git", () => {
  let api: TestApi;
  const owner = "IpWhitelist soc/office";
  beforeEach(async () => {
    api = await startTestApi();
    await api.deps.bus.publish(TOPICS.configUpdates, [
      whitelistUpdateMessage({ action: "add", ip: "192.0.2.1", owner }),
      whitelistUpdateMessage({ action: "add", ip: "192.0.2.2" }),
    ]);
    await eventually(() => expect(api.deps.whitelist.size).toBe(2));
  });
  afterEach(async () => {
    await api.close();
  });

  it("lists every entry with its owner, messages without one counting as the API's", async () => {
    expect(await (await api.request("/whitelist", { key: "read" })).json()).toEqual({
      whitelisted_ips: ["192.0.2.1", "192.0.2.2"],
      entries: [
        { ip: "192.0.2.1", owner },
        { ip: "192.0.2.2", owner: "api" },
      ],
    });
  });

  it.each([
    ["DELETE", "/whitelist/192.0.2.1", undefined],
    ["POST", "/whitelist", JSON.stringify({ ip: "192.0.2.1" })],
  ])("answers 409 to %s of it, names the owner and publishes nothing", async (method, path, body) => {
    const published: string[] = [];
    const watch = await api.deps.bus.follow(
      TOPICS.configUpdates,
      (message) => void published.push(message.value ?? ""),
    );
    const before = published.length;
    const response = await api.request(path, { method, ...(body === undefined ? {} : { body }) });
    expect(response.status).toBe(409);
    const error = (await response.json()) as { detail: string; code: string };
    expect(error.code).toBe("conflict");
    expect(error.detail).toContain(owner);
    expect(error.detail).toContain("Git");
    await watch.stop();
    expect(published.length).toBe(before);
    expect(api.deps.whitelist.ownerOf("192.0.2.1")).toBe(owner);
  });

  it("still changes the API's own entries, and says so on the topic", async () => {
    expect((await api.request("/whitelist/192.0.2.2", { method: "DELETE" })).status).toBe(200);
    expect(
      (await api.request("/whitelist", { method: "POST", body: JSON.stringify({ ip: "192.0.2.3" }) })).status,
    ).toBe(201);
    const messages: unknown[] = [];
    const watch = await api.deps.bus.follow(
      TOPICS.configUpdates,
      (message) => void messages.push(JSON.parse(message.value ?? "null")),
    );
    await watch.stop();
    expect(messages.slice(-2)).toEqual([
      { action: "remove", ip: "192.0.2.2", owner: "api" },
      { action: "add", ip: "192.0.2.3", owner: "api" },
    ]);
  });
});
