/** Small wording helpers shared by the templates. */
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
