/** Small wording helpers shared by the templates. */
import type { HighPriorityAlert, NetworkScope } from "@soc/shared";
import { clip } from "../channels/escape.ts";

export function duration(seconds: number): string {
  const rounded = Math.max(0, Math.round(seconds));
  if (rounded < 60) return `${rounded} second${rounded === 1 ? "" : "s"}`;
  const minutes = Math.round(rounded / 60);
  if (minutes < 60) return `${minutes} minute${minutes === 1 ? "" : "s"}`;
  const hours = Math.round(minutes / 60);
  return `${hours} hour${hours === 1 ? "" : "s"}`;
}

export function timestamp(epochSeconds: number | null): string {
  return epochSeconds === null ? "unknown" : new Date(epochSeconds * 1000).toISOString().replace(".000Z", "Z");
}

/** Attacker-reachable values (URL paths, file paths, repository names) are cut to this length. */
const MAX_SHOWN = 200;

/**
 * An alert value as display text, or null when it is absent or not text/number. "://" is defanged:
 * mail clients and notification previews link a bare URL whatever the channel's escaping.
 */
export function shown(value: unknown): string | null {
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  return typeof value === "string" && value !== "" ? clip(value.replaceAll("://", "[:]//"), MAX_SHOWN) : null;
}

const SCOPE_WORDING: Record<NetworkScope, string> = {
  private: "private network",
  loopback: "loopback",
  link_local: "link-local network",
  shared: "carrier-grade NAT network",
  documentation: "documentation range",
  unique_local: "private network",
  multicast: "multicast",
  unspecified: "unspecified address",
  reserved: "reserved range",
};

/** Where the source is, "Netherlands, AS64500 Example Net" or "private network"; null when the alert does not say. */
export function origin(alert: HighPriorityAlert): string | null {
  const client = alert.client;
  if (client === undefined) return null;
  if (client.network !== undefined) return SCOPE_WORDING[client.network];
  const country = shown(client.geo?.country_name) ?? shown(client.geo?.country_iso_code);
  const as =
    client.as === undefined
      ? null
      : [`AS${client.as.number}`, shown(client.as.organization?.name)].filter((part) => part !== null).join(" ");
  const parts = [country, as].filter((part) => part !== null);
  return parts.length === 0 ? null : parts.join(", ");
}

/** The source address followed by where it is: "203.0.113.9 (Netherlands, AS64500 Example Net)". */
export function sourceWithOrigin(alert: HighPriorityAlert, address: string): string {
  const where = origin(alert);
  return where === null ? address : `${address} (${where})`;
}
