import { describe, expect, it } from "vitest";
import { whitelistEntryProblem } from "@soc/shared";
import { effectiveWhitelist, whitelistChanges } from "./effective-whitelist.ts";

describe("effective whitelist", () => {
  it("is the union of every source's entries, normalized and without duplicates", () => {
    const result = effectiveWhitelist([
      { key: "ns/office", entries: [{ ip: "10.0.0.0/8" }, { ip: "2001:DB8::1" }] },
      { key: "ns/vpn", entries: [{ ip: "10.0.0.0/8" }, { ip: "198.51.100.7" }] },
    ]);
    expect(result.entries).toEqual(["10.0.0.0/8", "198.51.100.7", "2001:db8::1"]);
    expect(result.usableBySource).toEqual(new Map([["ns/office", 2], ["ns/vpn", 2]]));
    expect(result.rejected.size).toBe(0);
  });

  it("leaves out entries the workers cannot use and says why, per source", () => {
    const result = effectiveWhitelist([{ key: "ns/bad", entries: [{ ip: "::ffff:10.0.0.0/104x" }, { ip: "0.0.0.0/0" }, { ip: "192.0.2.1" }] }]);
    expect(result.entries).toEqual(["192.0.2.1"]);
    expect(result.rejected.get("ns/bad")?.map((r) => r.ip)).toEqual(["::ffff:10.0.0.0/104x", "0.0.0.0/0"]);
    expect(result.usableBySource.get("ns/bad")).toBe(1);
  });

  it.each([
    ["192.0.2.1", null],
    ["10.0.0.0/8", null],
    ["2001:db8::/32", null],
    ["1.0.0.0/7", "too broad"],
    ["2001::/16", "too broad"],
    ["::/0", "too broad"],
    ["not-an-ip", "not an IPv4/IPv6"],
    ["300.1.1.1", "not an IPv4/IPv6"],
  ])("entry %s: problem %s", (ip, problem) => {
    const found = whitelistEntryProblem(ip);
    if (problem === null) expect(found).toBeNull();
    else expect(found).toContain(problem);
  });
});

describe("whitelist changes", () => {
  it.each([
    { published: [], wanted: ["10.0.0.1"], changes: [{ action: "add", ip: "10.0.0.1" }] },
    { published: ["10.0.0.1"], wanted: ["10.0.0.1"], changes: [] },
    { published: ["10.0.0.1", "10.0.0.2"], wanted: ["10.0.0.2", "10.0.0.3"], changes: [{ action: "remove", ip: "10.0.0.1" }, { action: "add", ip: "10.0.0.3" }] },
    { published: ["10.0.0.1"], wanted: [], changes: [{ action: "remove", ip: "10.0.0.1" }] },
  ])("from $published to $wanted", ({ published, wanted, changes }) => {
    expect(whitelistChanges(published, wanted)).toEqual(changes);
  });

  it("publishing the changes then diffing again yields nothing (idempotent)", () => {
    const wanted = ["10.0.0.0/8", "192.0.2.1"];
    const state = new Set(["192.0.2.9"]);
    for (const change of whitelistChanges([...state], wanted)) {
      if (change.action === "add") state.add(change.ip);
      else state.delete(change.ip);
    }
    expect(whitelistChanges([...state].sort(), wanted)).toEqual([]);
  });
});
