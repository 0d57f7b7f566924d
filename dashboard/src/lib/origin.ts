/**
 * Where a source address is, as the alerts table and the overview show it (docs/enrichment.md); pure.
 * The AS name is chosen by whoever registers the AS: it is only ever rendered as text.
 */
import type { ClientOrigin } from "./types.ts";

/** The same wording as the alerter's notifications. */
const NETWORK_SCOPES: Record<NonNullable<ClientOrigin["network"]>, string> = {
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

/** "US" → 🇺🇸 (two regional-indicator letters); "" for anything that is not two letters A–Z. */
export function flagEmoji(isoCode: string): string {
  if (!/^[A-Z]{2}$/.test(isoCode)) return "";
  return String.fromCodePoint(...[...isoCode].map((letter) => 0x1f1e6 + letter.charCodeAt(0) - 65));
}

export interface Origin {
  country: { flag: string; code: string; name: string } | null;
  /** "AS15169 Google LLC", or the kind of private or reserved range. */
  network: string | null;
  /** Both in one line for tooltips and screen readers: "United States, AS15169 Google LLC". */
  summary: string;
}

/** Null when the document has no enrichment (turned off, a host name, or an address no database knows). */
export function originOf(client: ClientOrigin | undefined): Origin | null {
  if (client === undefined) return null;
  const geo = client.geo;
  const country =
    geo === undefined
      ? null
      : {
          flag: flagEmoji(geo.country_iso_code),
          code: geo.country_iso_code,
          name: geo.country_name ?? geo.country_iso_code,
        };
  const as =
    client.as === undefined
      ? null
      : [`AS${client.as.number}`, client.as.organization?.name].filter((part) => part !== undefined).join(" ");
  const network = client.network === undefined ? as : NETWORK_SCOPES[client.network];
  if (country === null && network === null) return null;
  return { country, network, summary: [country?.name, network].filter((part) => part != null).join(", ") };
}

/** Beside an address in a chart: "🇺🇸 US", else the network ("private network", "AS64500"); the full summary as its title. */
export function originNote(client: ClientOrigin | undefined): { text: string; title: string } | null {
  const origin = originOf(client);
  if (origin === null) return null;
  const text =
    origin.country === null ? (origin.network ?? "") : `${origin.country.flag} ${origin.country.code}`.trim();
  return { text, title: origin.summary };
}
