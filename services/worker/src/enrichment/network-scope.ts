/**
 * Addresses that are never looked up in a location database: they name no place on the Internet
 * (the owner's own networks, documentation examples, multicast). Pure.
 */
import { BlockList, isIP } from "node:net";
import type { NetworkScope } from "@soc/shared";

/** IANA special-purpose registries (RFC 6890 and successors): only blocks no public host sends from. */
const SPECIAL_BLOCKS: readonly (readonly [NetworkScope, string, number])[] = [
  ["unspecified", "0.0.0.0", 8],
  ["private", "10.0.0.0", 8],
  ["shared", "100.64.0.0", 10],
  ["loopback", "127.0.0.0", 8],
  ["link_local", "169.254.0.0", 16],
  ["private", "172.16.0.0", 12],
  ["reserved", "192.0.0.0", 24],
  ["documentation", "192.0.2.0", 24],
  ["private", "192.168.0.0", 16],
  ["reserved", "198.18.0.0", 15],
  ["documentation", "198.51.100.0", 24],
  ["documentation", "203.0.113.0", 24],
  ["multicast", "224.0.0.0", 4],
  ["reserved", "240.0.0.0", 4],
  ["unspecified", "::", 128],
  ["loopback", "::1", 128],
  ["reserved", "100::", 64],
  ["documentation", "2001:db8::", 32],
  ["documentation", "3fff::", 20],
  ["unique_local", "fc00::", 7],
  ["link_local", "fe80::", 10],
  ["multicast", "ff00::", 8],
];

const blocksByScope = new Map<NetworkScope, BlockList>();
for (const [scope, network, prefix] of SPECIAL_BLOCKS) {
  const list = blocksByScope.get(scope) ?? new BlockList();
  list.addSubnet(network, prefix, isIP(network) === 4 ? "ipv4" : "ipv6");
  blocksByScope.set(scope, list);
}

/**
 * The address as looked up: IPv4-mapped IPv6 (`::ffff:203.0.113.9`, `::ffff:cb00:7109`) as the IPv4
 * address it carries, IPv6 canonical and without a zone; null when the text is no address.
 */
export function lookupAddressOf(text: string): string | null {
  const address = text.replace(/%[\w.-]{1,64}$/, "");
  const family = isIP(address);
  if (family === 4) return address;
  if (family !== 6) return null;
  const canonical = new URL(`http://[${address}]`).hostname.slice(1, -1);
  const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(canonical);
  if (mapped === null) return canonical;
  const [high, low] = [Number.parseInt(mapped[1] as string, 16), Number.parseInt(mapped[2] as string, 16)];
  return [high >> 8, high & 0xff, low >> 8, low & 0xff].join(".");
}

/** The special-purpose block an address is in, or null for a public (globally routed) address. */
export function networkScopeOf(address: string): NetworkScope | null {
  const family = isIP(address) === 4 ? "ipv4" : "ipv6";
  for (const [scope, list] of blocksByScope) if (list.check(address, family)) return scope;
  return null;
}
