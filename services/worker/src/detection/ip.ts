/** IPv4 extraction with the seed's pattern, rejecting octets above 255 ("999.1.1.1" is no address). */
const IPV4_CANDIDATE = /\b\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}\b/g;

export function extractIpv4(text: string): string | null {
  for (const match of text.matchAll(IPV4_CANDIDATE)) {
    const address = match[0];
    if (address.split(".").every((octet) => Number(octet) <= 255)) return address;
  }
  return null;
}
