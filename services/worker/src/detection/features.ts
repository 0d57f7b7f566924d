/** First, stateless phase of the detection core: what a single log says about itself. */
import type { AnomalySeverity, LogMessage, Whitelist } from "@soc/shared";
import { syslogHeaderOf } from "../ecs/ecs-fields.ts";
import { extractEndpoint, normalizeEndpoint } from "./endpoint.ts";
import { recogniseFailedLogin } from "./failed-login.ts";
import type { LineOrigin } from "./keyword-rules.ts";
import type { KeywordMatcher } from "./keywords.ts";
import { attributeSource, type ClientFacts } from "./source.ts";

/** `port`, `user`, `outcome`: what the line's format writes beside the client (see source.ts). */
export interface LogFeatures extends ClientFacts {
  /** The client's address, from the structured field or the line's format (see source.ts). */
  ip: string | null;
  /** A host name where the format puts the client and no address is given. */
  host: string | null;
  /** The address was only found somewhere in the text: counted, but never silenced by the whitelist. */
  ipInferred: boolean;
  /** Name of the matched failed-login pattern. */
  failedLogin: string | null;
  keyword: string | null;
  /** How much the keyword hit weighs where the line comes from (KEYWORD_RULES); medium when unset. */
  keywordSeverity?: AnomalySeverity;
  endpoint: string | null;
  /** Event time, epoch seconds. */
  timeSeconds: number;
}

/** What the per-source counters key on: the address, else the host name the log gives. */
export const sourceKey = (features: LogFeatures): string | null => features.ip ?? features.host;

/** Only an address a recognised format (or a collector) placed can be whitelisted: inferred ones could be planted. */
export const isWhitelisted = (features: LogFeatures, whitelist: Whitelist): boolean =>
  features.ip !== null && !features.ipInferred && whitelist.covers(features.ip);

/** The program that wrote the line (what the collector says, else the line's syslog header) and its log source. */
const originOf = (log: LogMessage): LineOrigin => ({
  program: log.process?.name ?? log.log?.syslog?.appname ?? syslogHeaderOf(log.message)?.program ?? null,
  source: log.source ?? null,
});

export function extractFeatures(log: LogMessage, matchKeyword: KeywordMatcher, nowSeconds: number): LogFeatures {
  const { ip, host, inferred, format: _format, ...facts } = attributeSource(log.message, log.source_ip);
  const hit = matchKeyword(log.message, () => originOf(log));
  return {
    ip,
    host,
    ipInferred: inferred,
    ...facts,
    failedLogin: recogniseFailedLogin(log.message),
    keyword: hit?.keyword ?? null,
    ...(hit !== null ? { keywordSeverity: hit.severity } : {}),
    // Normalised (ids collapsed, length capped) so attacker-chosen paths cannot mint unbounded baselines.
    endpoint: log.endpoint === undefined ? extractEndpoint(log.message) : normalizeEndpoint(log.endpoint),
    timeSeconds: log.timestamp ?? nowSeconds,
  };
}
