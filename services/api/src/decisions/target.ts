/**
 * What a ban applies to: one IPv4/IPv6 address or a CIDR block, as a number range, so containment
 * and overlap (against the whitelist, in bouncer queries) are exact integer comparisons.
 */
import { isIP } from "node:net";

export interface Target {
  family: 4 | 6;
  /** First address of the block (host bits cleared). */
  network: bigint;
  prefix: number;
}

const BITS = { 4: 32, 6: 128 } as const;

function ipv4ToBigInt(address: string): bigint {
  return address.split(".").reduce((value, octet) => (value << 8n) | BigInt(Number(octet)), 0n);
}

function ipv6ToBigInt(address: string): bigint {
  let text = address.toLowerCase();
  // An embedded IPv4 tail (::ffff:192.0.2.1) is two hextets. (isIP accepted the address, so a dot
  // means such a tail after the last colon.)
  const dotted = text.slice(text.lastIndexOf(":") + 1);
  if (dotted.includes(".")) {
    const v4 = ipv4ToBigInt(dotted);
    text = `${text.slice(0, -dotted.length)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const [head = "", tail] = text.split("::") as [string, string | undefined];
  const headGroups = head === "" ? [] : head.split(":");
  const tailGroups = tail === undefined || tail === "" ? [] : tail.split(":");
  const groups =
    tail === undefined
      ? headGroups
      : [...headGroups, ...Array<string>(8 - headGroups.length - tailGroups.length).fill("0"), ...tailGroups];
  return groups.reduce((value, group) => (value << 16n) | BigInt(Number.parseInt(group, 16)), 0n);
}

const mask = (family: 4 | 6, prefix: number): bigint =>
  ((1n << BigInt(BITS[family])) - 1n) ^ ((1n << BigInt(BITS[family] - prefix)) - 1n);

/** An address or CIDR block as a Target (host bits cleared), or null when it is neither. */
export function parseTarget(text: string): Target | null {
  const [address = "", prefixText, extra] = text.trim().split("/");
  const family = isIP(address);
  if ((family !== 4 && family !== 6) || extra !== undefined) return null;
  const bits = BITS[family];
  if (prefixText !== undefined && !/^\d{1,3}$/.test(prefixText)) return null;
  const prefix = prefixText === undefined ? bits : Number(prefixText);
  if (prefix > bits) return null;
  const value = family === 4 ? ipv4ToBigInt(address) : ipv6ToBigInt(address);
  return { family, network: value & mask(family, prefix), prefix };
}

function formatIpv6(value: bigint): string {
  const groups = Array.from({ length: 8 }, (_, index) => Number((value >> BigInt(16 * (7 - index))) & 0xffffn));
  // RFC 5952: the longest run (the first of equals) of two or more zero groups becomes "::".
  let best = { start: -1, length: 0 };
  for (let start = 0; start < 8;) {
    if (groups[start] !== 0) {
      start++;
      continue;
    }
    let end = start;
    while (end < 8 && groups[end] === 0) end++;
    if (end - start > best.length) best = { start, length: end - start };
    start = end;
  }
  const hex = groups.map((group) => group.toString(16));
  if (best.length < 2) return hex.join(":");
  return `${hex.slice(0, best.start).join(":")}::${hex.slice(best.start + best.length).join(":")}`;
}

/** The canonical text: `203.0.113.7`, `203.0.113.0/24`, `2001:db8::/48` (a full-length prefix is written as the address). */
export function formatTarget(target: Target): string {
  const address =
    target.family === 4
      ? [24n, 16n, 8n, 0n].map((shift) => String((target.network >> shift) & 0xffn)).join(".")
      : formatIpv6(target.network);
  return target.prefix === BITS[target.family] ? address : `${address}/${target.prefix}`;
}

export const isSingleAddress = (target: Target): boolean => target.prefix === BITS[target.family];

/** Whether `outer` holds every address of `inner`. */
export function contains(outer: Target, inner: Target): boolean {
  return (
    outer.family === inner.family &&
    outer.prefix <= inner.prefix &&
    (inner.network & mask(outer.family, outer.prefix)) === outer.network
  );
}

/** Two prefix blocks share an address exactly when one holds the other. */
export const overlaps = (a: Target, b: Target): boolean => contains(a, b) || contains(b, a);
