/** Display helpers; pure. Times are shown in UTC, as in the logs and reports. */
export function formatTime(epochSeconds: number): string {
  return new Date(epochSeconds * 1000).toISOString().slice(0, 19).replace("T", " ");
}

export const RULE_LABELS: Record<string, string> = {
  brute_force: "Brute force",
  traffic_spike: "Traffic spike",
  keyword: "Keyword",
  whitelist: "Whitelisted",
};
export const STATUS_LABELS: Record<string, string> = {
  new: "New",
  acknowledged: "Acknowledged",
  resolved: "Resolved",
  false_positive: "False positive",
};

export function previousMonth(now: Date): string {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1)).toISOString().slice(0, 7);
}

/**
 * How the whitelist view shows an entry's owner. An entry an IpWhitelist owns is managed in Git:
 * the API refuses to remove it and the operator would put it back, so no Remove is offered.
 */
export function whitelistOwner(owner: string): { label: string; gitManaged: boolean } {
  if (!owner.startsWith("IpWhitelist ")) return { label: "API", gitManaged: false };
  return { label: owner, gitManaged: true };
}
