/**
 * The effective IP whitelist: single addresses and CIDR blocks, IPv4 and IPv6. Pure state with
 * no I/O; every API replica and worker builds one from the `config-updates` topic.
 */
import { BlockList, isIP } from "node:net";
import type { ConfigUpdate } from "../messages.ts";
import { API_OWNER } from "./owner.ts";

/** IPv4 dotted quad → unsigned 32-bit integer, or null. */
function ipv4ToInt(address: string): number | null {
  const parts = address.split(".");
  if (parts.length !== 4) return null;
  let value = 0;
  for (const part of parts) {
    const octet = Number(part);
    if (part === "" || !Number.isInteger(octet) || octet < 0 || octet > 255) return null;
    value = value * 256 + octet;
  }
  return value;
}

interface Matcher {
  /** IPv4 blocks as [network, mask]; exact addresses are looked up in #entries directly. */
  ipv4Blocks: [number, number][];
  /** IPv6 goes through node's BlockList; it allocates per check, so IPv4 avoids it. */
  ipv6: BlockList;
}

/** One entry and who manages it (see owner.ts). */
export interface OwnedEntry {
  ip: string;
  owner: string;
}

export class Whitelist {
  /** Normalized entry → owner; one owner per entry, the last add's. */
  readonly #entries = new Map<string, string>();
  #matcher: Matcher | null = null;

  constructor(entries: Iterable<string> = []) {
    for (const entry of entries) this.add(entry);
  }

  /** Returns false when the entry was already present with the same owner. */
  add(entry: string, owner: string = API_OWNER): boolean {
    const normalized = normalizeEntry(entry);
    const previous = this.#entries.get(normalized);
    if (previous === owner) return false;
    this.#entries.set(normalized, owner);
    if (previous === undefined) this.#matcher = null;
    return true;
  }

  /** Returns false when the entry was not present. */
  remove(entry: string): boolean {
    const removed = this.#entries.delete(normalizeEntry(entry));
    if (removed) this.#matcher = null;
    return removed;
  }

  apply(update: ConfigUpdate): boolean {
    return update.action === "add" ? this.add(update.ip, update.owner) : this.remove(update.ip);
  }

  has(entry: string): boolean {
    return this.#entries.has(normalizeEntry(entry));
  }

  /** Who manages the entry, or undefined when it is not whitelisted. */
  ownerOf(entry: string): string | undefined {
    return this.#entries.get(normalizeEntry(entry));
  }

  /** True when the address equals an entry or falls inside an entry's CIDR block. */
  covers(address: string): boolean {
    if (this.#entries.size === 0) return false;
    if (this.#entries.has(address)) return true;
    const matcher = this.#compiled();
    const ipv4 = ipv4ToInt(address);
    if (ipv4 !== null) return matcher.ipv4Blocks.some(([network, mask]) => (ipv4 & mask) >>> 0 === network);
    return isIP(address) === 6 && matcher.ipv6.check(address.toLowerCase(), "ipv6");
  }

  entries(): string[] {
    return [...this.#entries.keys()].sort();
  }

  /** Every entry with its owner, sorted by entry. */
  ownedEntries(): OwnedEntry[] {
    return this.entries().map((ip) => ({ ip, owner: this.#entries.get(ip) ?? API_OWNER }));
  }

  get size(): number {
    return this.#entries.size;
  }

  #compiled(): Matcher {
    if (this.#matcher !== null) return this.#matcher;
    const matcher: Matcher = { ipv4Blocks: [], ipv6: new BlockList() };
    for (const entry of this.#entries.keys()) {
      const [address, prefix] = entry.split("/") as [string, string | undefined];
      const ipv4 = ipv4ToInt(address);
      if (ipv4 !== null && prefix !== undefined) {
        const mask = Number(prefix) === 0 ? 0 : (0xffffffff << (32 - Number(prefix))) >>> 0;
        matcher.ipv4Blocks.push([(ipv4 & mask) >>> 0, mask]);
      } else if (ipv4 === null && isIP(address) === 6) {
        if (prefix === undefined) matcher.ipv6.addAddress(address, "ipv6");
        else matcher.ipv6.addSubnet(address, Number(prefix), "ipv6");
      }
    }
    this.#matcher = matcher;
    return matcher;
  }
}

/** Lower-cases IPv6 so "2001:DB8::1" and "2001:db8::1" are one entry. */
export function normalizeEntry(entry: string): string {
  return entry.trim().toLowerCase();
}
