import { describe, expect, it } from "vitest";
import { lookupAddressOf, networkScopeOf } from "./network-scope.ts";

describe("networkScopeOf", () => {
  it.each([
    ["10.1.2.3", "private"],
    ["172.16.0.1", "private"],
    ["172.31.255.255", "private"],
    ["192.168.1.1", "private"],
    ["127.0.0.1", "loopback"],
    ["169.254.169.254", "link_local"],
    ["100.64.0.1", "shared"],
    ["100.127.255.255", "shared"],
    ["192.0.2.1", "documentation"],
    ["198.51.100.10", "documentation"],
    ["203.0.113.9", "documentation"],
    ["0.0.0.0", "unspecified"],
    ["224.0.0.251", "multicast"],
    ["255.255.255.255", "reserved"],
    ["198.18.0.1", "reserved"],
    ["::1", "loopback"],
    ["::", "unspecified"],
    ["fe80::1", "link_local"],
    ["fc00::1", "unique_local"],
    ["fd12:3456::1", "unique_local"],
    ["2001:db8::1", "documentation"],
    ["ff02::1", "multicast"],
  ])("labels %s as %s", (address, scope) => {
    expect(networkScopeOf(address)).toBe(scope);
  });

  it.each([
    "8.8.8.8",
    "172.32.0.1",
    "172.15.255.255",
    "100.128.0.1",
    "100.63.255.255",
    "192.169.0.1",
    "2001:4860:4860::8888",
    "fec0::1",
  ])("leaves the public address %s to the databases", (address) => {
    expect(networkScopeOf(address)).toBeNull();
  });
});

describe("lookupAddressOf", () => {
  it.each([
    ["::ffff:10.0.0.1", "10.0.0.1"],
    ["::FFFF:8.8.8.8", "8.8.8.8"],
    ["::ffff:808:808", "8.8.8.8"],
    ["2001:DB8:0:0::1", "2001:db8::1"],
    ["fe80::1%eth0", "fe80::1"],
    ["203.0.113.9", "203.0.113.9"],
  ])("reads %s as %s", (text, address) => {
    expect(lookupAddressOf(text)).toBe(address);
  });

  it("labels an IPv4-mapped private address as the IPv4 address it carries", () => {
    expect(networkScopeOf(lookupAddressOf("::ffff:192.168.0.5") as string)).toBe("private");
  });

  it.each(["", "example.org", "1.2.3", "10.0.0.1:22", "::ffff:10.0.0.1:22"])(
    "answers null for %j, which is no address",
    (text) => {
      expect(lookupAddressOf(text)).toBeNull();
    },
  );
});
