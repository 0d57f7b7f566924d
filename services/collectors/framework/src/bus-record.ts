/**
 * What every collector puts on the bus for one log, and the one place its fields are cut to what
 * the worker stores, so a long URL never costs a bigger message than the worker keeps (older
 * workers dead-lettered the whole log, source_ip included, for a long endpoint).
 */
import { MAX_ENDPOINT_CHARS, type LogMessage, type OutgoingMessage } from "@soc/shared";

export function busRecord(log: LogMessage): OutgoingMessage {
  const bounded =
    log.endpoint !== undefined && log.endpoint.length > MAX_ENDPOINT_CHARS
      ? { ...log, endpoint: log.endpoint.slice(0, MAX_ENDPOINT_CHARS) }
      : log;
  return { key: log.source_ip ?? null, value: JSON.stringify(bounded) };
}
