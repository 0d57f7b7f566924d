/** First, stateless phase of the detection core: what a single log says about itself. */
import type { LogMessage } from "@soc/shared";
import { extractEndpoint } from "./endpoint.ts";
import { recogniseFailedLogin } from "./failed-login.ts";
import { extractIpv4 } from "./ip.ts";
import type { KeywordMatcher } from "./keywords.ts";

export interface LogFeatures {
  ip: string | null;
  /** Name of the matched failed-login pattern. */
  failedLogin: string | null;
  keyword: string | null;
  endpoint: string | null;
  /** Event time, epoch seconds. */
  timeSeconds: number;
}

export function extractFeatures(log: LogMessage, matchKeyword: KeywordMatcher, nowSeconds: number): LogFeatures {
  return {
    ip: log.source_ip ?? extractIpv4(log.message),
    failedLogin: recogniseFailedLogin(log.message),
    keyword: matchKeyword(log.message),
    endpoint: log.endpoint ?? extractEndpoint(log.message),
    timeSeconds: log.timestamp ?? nowSeconds,
  };
}
