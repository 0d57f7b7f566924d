import { describe, expect, it } from "vitest";
import { configUpdateSchema } from "../messages.ts";
import { ownedByCustomResource } from "./owner.ts";
import { Whitelist } from "./whitelist.ts";

describe("Whitelist", () => {
  it.each([
    ["10.0.0.1", "10.0.0.1", true],
    ["10.0.0.1", "10.0.0.2", false],
    ["10.0.0.0/8", "10.200.3.4", true],
    ["10.0.0.0/8", "11.0.0.1", false],
    ["2001:db8::/32", "2001:db8:1::5", true],
    ["2001:DB8::1", "2001:db8::1", true],
    ["192.168.1.0/24", "not-an-ip", false],
    ["192.168.1.0/24", "192.168.1.255", true],
    ["192.168.1.0/24", "192.168.2.0", false],
    ["0.0.0.0/0", "203.0.113.7", true],
    ["203.0.113.7/32", "203.0.113.7", true],
    ["10.0.0.1", "10.0.0.10", false],
    ["::ffff:0:0/96", "10.0.0.1", false],
  ])("entry %s covers %s: %s", (entry, address, expected) => {
    expect(new Whitelist([entry]).covers(address)).toBe(expected);
  });

  it("stops covering an address once its entry is removed", () => {
    const whitelist = new Whitelist(["8.8.8.8"]);
    expect(whitelist.covers("8.8.8.8")).toBe(true);
    expect(whitelist.apply({ action: "remove", ip: "8.8.8.8" })).toBe(true);
    expect(whitelist.covers("8.8.8.8")).toBe(false);
    expect(whitelist.entries()).toEqual([]);
  });

  it("reports whether an add or remove changed anything", () => {
    const whitelist = new Whitelist();
    expect(whitelist.add("1.2.3.4")).toBe(true);
    expect(whitelist.add("1.2.3.4")).toBe(false);
    expect(whitelist.remove("5.6.7.8")).toBe(false);
  });

  it("keeps one owner per entry: the last add's, `api` when a message names none", () => {
    const whitelist = new Whitelist();
    whitelist.apply({ action: "add", ip: "10.0.0.1" });
    expect(whitelist.ownerOf("10.0.0.1")).toBe("api");
    expect(whitelist.apply({ action: "add", ip: "10.0.0.1", owner: "IpWhitelist soc/office" })).toBe(true);
    expect(whitelist.apply({ action: "add", ip: "10.0.0.1", owner: "IpWhitelist soc/office" })).toBe(false);
    expect(whitelist.ownedEntries()).toEqual([{ ip: "10.0.0.1", owner: "IpWhitelist soc/office" }]);
    whitelist.remove("10.0.0.1");
    expect(whitelist.ownerOf("10.0.0.1")).toBeUndefined();
  });
});

describe("config-updates owner", () => {
  it.each([
    [{ action: "add", ip: "10.0.0.1" }, true],
    [{ action: "add", ip: "10.0.0.1", owner: "api" }, true],
    [{ action: "remove", ip: "10.0.0.1", owner: "IpWhitelist soc/office" }, true],
    [{ action: "add", ip: "10.0.0.1", owner: "IpWhitelist soc/office.v2" }, true],
    [{ action: "add", ip: "10.0.0.1", owner: "operator" }, false],
    [{ action: "add", ip: "10.0.0.1", owner: "IpWhitelist office" }, false],
    [{ action: "add", ip: "10.0.0.1", owner: "IpWhitelist Soc/office" }, false],
    [{ action: "add", ip: "0.0.0.0/0", owner: "IpWhitelist soc/office" }, false],
  ])("%j valid: %s", (message, valid) => {
    expect(configUpdateSchema.safeParse(message).success).toBe(valid);
  });

  it.each([
    ["api", false],
    ["IpWhitelist soc/office", true],
  ])("owner %s is a custom resource: %s", (owner, expected) => {
    expect(ownedByCustomResource(owner)).toBe(expected);
  });
});
