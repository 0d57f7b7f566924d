/** Small wording helpers shared by the templates. */
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
