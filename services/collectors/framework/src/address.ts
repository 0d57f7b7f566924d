/**
 * The client address a provider reports in a structured field, reduced to the bare IP that goes
 * into `source_ip`. Only the provider's own field is read, never the log text, which an attacker
 * can write.
 */
import { isIPv4, isIPv6 } from "node:net";
import { ipAddress } from "@soc/shared";

/**
 * Where a port may follow the address:
 * - "optional": HTTP style (Go's RemoteAddr, Cloud Logging's remoteIp). It reads "ip", "v4:port",
 *   "[v6]" and "[v6]:port". A bare IPv6 keeps every group, because "2001:db8::1:2" is a whole address.
 * - "appended": PostgreSQL's connection_from, which is remote_host ":" remote_port with no
 *   brackets. The port is always there for TCP, even after an IPv6.
 */
export type PortStyle = "optional" | "appended";

const PORT = /^\d{1,5}$/;

/** What logMessageSchema stores. isIP also accepts zones ("fe80::1%eth0"), which would dead-letter the whole log. */
const storable = (host: string): string | null => (ipAddress.safeParse(host).success ? host : null);

/** The address without its port, or null when the value is not an address the pipeline stores (hostname, "[local]", junk). */
export function clientIp(value: string, style: PortStyle = "optional"): string | null {
  if (style === "appended") {
    const cut = value.lastIndexOf(":");
    return cut > 0 && PORT.test(value.slice(cut + 1)) ? storable(value.slice(0, cut)) : null;
  }
  if (value.startsWith("[")) {
    const close = value.indexOf("]");
    const host = value.slice(1, close);
    const rest = value.slice(close + 1);
    const portOk = rest === "" || (rest.startsWith(":") && PORT.test(rest.slice(1)));
    return close > 0 && portOk && isIPv6(host) ? storable(host) : null;
  }
  const colon = value.indexOf(":");
  // One colon can only be v4:port; two or more make an IPv6, which is taken whole.
  if (colon >= 0 && colon === value.lastIndexOf(":")) {
    const host = value.slice(0, colon);
    return isIPv4(host) && PORT.test(value.slice(colon + 1)) ? storable(host) : null;
  }
  return storable(value);
}
