import { describe, expect, it } from "vitest";
import { whitelistEntryProblem, Whitelist, type OwnedEntry } from "@soc/shared";
import { effectiveWhitelist, whitelistChanges } from "./effective-whitelist.ts";

const office = "IpWhitelist ns/office";
const vpn = "IpWhitelist ns/vpn";
const owned = (owner: string, ...ips: string[]): OwnedEntry[] => ips.map((ip) => ({ ip, owner }));

describe("effective whitelist", () => {
  it("is the union of every source's entries, normalized and without duplicates, each with one owner", () => {
    const result = effectiveWhitelist([
      { key: "vpn", owner: vpn, entries: [{ ip: "10.0.0.0/8" }, { ip: "198.51.100.7" }] },
      { key: "office", owner: office, entries: [{ ip: "10.0.0.0/8" }, { ip: "2001:DB8::1" }] },
    ]);
    // 10.0.0.0/8 is in both: the first by namespace/name owns it, whichever was listed first.
    expect(result.entries).toEqual([
      ...owned(office, "10.0.0.0/8"),
      ...owned(vpn, "198.51.100.7"),
      ...owned(office, "2001:db8::1"),
    ]);
    expect(result.usableBySource).toEqual(
      new Map([
        ["office", 2],
        ["vpn", 2],
      ]),
    );
    expect(result.rejected.size).toBe(0);
  });

  it("leaves out entries the workers cannot use and says why, per source", () => {
    const result = effectiveWhitelist([
      {
        key: "bad",
        owner: "IpWhitelist ns/bad",
        entries: [{ ip: "::ffff:10.0.0.0/104x" }, { ip: "0.0.0.0/0" }, { ip: "192.0.2.1" }],
      },
    ]);
    expect(result.entries).toEqual(owned("IpWhitelist ns/bad", "192.0.2.1"));
    expect(result.rejected.get("bad")?.map((r) => r.ip)).toEqual(["::ffff:10.0.0.0/104x", "0.0.0.0/0"]);
    expect(result.usableBySource.get("bad")).toBe(1);
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
    {
      case: "a new entry",
      onTopic: [],
      record: [],
      wanted: owned(office, "10.0.0.1"),
      changes: [{ action: "add", ip: "10.0.0.1", owner: office }],
    },
    {
      case: "nothing to do",
      onTopic: owned(office, "10.0.0.1"),
      record: ["10.0.0.1"],
      wanted: owned(office, "10.0.0.1"),
      changes: [],
    },
    {
      case: "an edit",
      onTopic: owned(office, "10.0.0.1", "10.0.0.2"),
      record: ["10.0.0.1", "10.0.0.2"],
      wanted: owned(office, "10.0.0.2", "10.0.0.3"),
      changes: [
        { action: "remove", ip: "10.0.0.1", owner: office },
        { action: "add", ip: "10.0.0.3", owner: office },
      ],
    },
    {
      case: "a deletion while the operator was down",
      onTopic: owned(office, "10.0.0.1"),
      record: [],
      wanted: [],
      changes: [{ action: "remove", ip: "10.0.0.1", owner: office }],
    },
    {
      case: "an entry removed behind its back",
      onTopic: [],
      record: ["10.0.0.1"],
      wanted: owned(office, "10.0.0.1"),
      changes: [{ action: "add", ip: "10.0.0.1", owner: office }],
    },
    {
      case: "an entry re-owned by the API",
      onTopic: owned("api", "10.0.0.1"),
      record: ["10.0.0.1"],
      wanted: owned(office, "10.0.0.1"),
      changes: [{ action: "add", ip: "10.0.0.1", owner: office }],
    },
    {
      case: "an entry moving to another IpWhitelist",
      onTopic: owned(vpn, "10.0.0.1"),
      record: ["10.0.0.1"],
      wanted: owned(office, "10.0.0.1"),
      changes: [{ action: "add", ip: "10.0.0.1", owner: office }],
    },
    { case: "the API's own entries", onTopic: owned("api", "10.0.0.9"), record: [], wanted: [], changes: [] },
    {
      case: "an entry published before owners existed (api on the topic, in the record)",
      onTopic: owned("api", "10.0.0.1"),
      record: ["10.0.0.1"],
      wanted: [],
      changes: [{ action: "remove", ip: "10.0.0.1", owner: "api" }],
    },
    { case: "a recorded entry already gone", onTopic: [], record: ["10.0.0.1"], wanted: [], changes: [] },
  ])("$case", ({ onTopic, record, wanted, changes }) => {
    expect(whitelistChanges(onTopic, record, wanted)).toEqual(changes);
  });

  it("applying the changes then diffing again yields nothing (idempotent)", () => {
    const wanted = [...owned(office, "10.0.0.0/8"), ...owned(vpn, "192.0.2.1")];
    const topic = new Whitelist();
    topic.add("192.0.2.9", office);
    topic.add("192.0.2.1", "api");
    topic.add("203.0.113.1", "api");
    for (const change of whitelistChanges(topic.ownedEntries(), [], wanted)) topic.apply(change);
    expect(topic.ownedEntries()).toEqual([...wanted, ...owned("api", "203.0.113.1")]);
    expect(whitelistChanges(topic.ownedEntries(), [], wanted)).toEqual([]);
  });
});
