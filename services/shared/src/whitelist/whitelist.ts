/**
 * The effective IP whitelist: single addresses and CIDR blocks, IPv4 and IPv6. Pure state with
 * no I/O; every API replica and worker builds one from the `config-updates` topic.
 */
import { BlockList, isIP } from "node:net";
import type { ConfigUpdate } from "../messages.ts";

export class Whitelist {
  readonly #entries = new Set<string>();
  #matcher: BlockList | null = null;

  constructor(entries: Iterable<string> = []) {
    for (const entry of entries) this.add(entry);
  }

  /** Returns false when the entry was already present. */
  add(entry: string): boolean {
    const normalized = normalizeEntry(entry);
    if (this.#entries.has(normalized)) return false;
    this.#entries.add(normalized);
    this.#matcher = null;
    return true;
  }

  /** Returns false when the entry was not present. */
  remove(entry: string): boolean {
    const removed = this.#entries.delete(normalizeEntry(entry));
    if (removed) this.#matcher = null;
    return removed;
  }

  apply(update: ConfigUpdate): boolean {
    return update.action === "add" ? this.add(update.ip) : this.remove(update.ip);
  }

  has(entry: string): boolean {
    return this.#entries.has(normalizeEntry(entry));
  }

  /** True when the address equals an entry or falls inside an entry's CIDR block. */
  covers(address: string): boolean {
    const family = isIP(address);
    if (family === 0) return false;
    return this.#blockList().check(address, family === 4 ? "ipv4" : "ipv6");
  }

  entries(): string[] {
    return [...this.#entries].sort();
  }

  get size(): number {
    return this.#entries.size;
  }

  #blockList(): BlockList {
    if (this.#matcher !== null) return this.#matcher;
    const list = new BlockList();
    for (const entry of this.#entries) {
      const [address, prefix] = entry.split("/") as [string, string | undefined];
      const type = isIP(address) === 4 ? "ipv4" : "ipv6";
      if (prefix === undefined) list.addAddress(address, type);
      else list.addSubnet(address, Number(prefix), type);
    }
    this.#matcher = list;
    return list;
  }
}

/** Lower-cases IPv6 so "2001:DB8::1" and "2001:db8::1" are one entry. */
export function normalizeEntry(entry: string): string {
  return entry.trim().toLowerCase();
}
