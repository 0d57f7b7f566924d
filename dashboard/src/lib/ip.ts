/** Client-side check of a whitelist entry (the API validates again): IPv4/IPv6, optionally /prefix. */
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

function isIpv6(text: string): boolean {
  if (!/^[0-9a-fA-F:]+$/.test(text) || text.split("::").length > 2) return false;
  const groups = text.split(":").filter((group) => group !== "");
  return groups.every((group) => group.length <= 4) && (text.includes("::") ? groups.length < 8 : groups.length === 8);
}

export function whitelistEntryProblem(entry: string): string | null {
  const text = entry.trim();
  if (text === "") return "Enter an IP address or a CIDR block.";
  const [address = "", prefix, extra] = text.split("/");
  if (extra !== undefined) return "Use one '/' at most, as in 10.0.0.0/8.";
  const v4 = IPV4.test(address);
  if (!v4 && !isIpv6(address)) return `'${address}' is not an IPv4 or IPv6 address.`;
  if (prefix === undefined) return null;
  const bits = Number(prefix);
  const max = v4 ? 32 : 128;
  if (!/^\d+$/.test(prefix) || bits > max) return `The prefix must be a number from 0 to ${max}.`;
  return null;
}
