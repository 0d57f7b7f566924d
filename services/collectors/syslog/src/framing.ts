/**
 * Syslog over a stream (RFC 6587): octet counting (`LEN SP MSG`, RFC 5425's framing on TLS) or one
 * message per line (LF). The first byte of a connection picks the method for its lifetime: a digit
 * means octet counting, anything else (a "<" opening PRI) newline framing.
 *
 * Memory per connection is bounded by `maxMessageBytes`: a longer message keeps its first
 * `maxMessageBytes` bytes, marked truncated, and the rest is skipped as it arrives.
 */

export interface Frame {
  bytes: Buffer;
  /** The sender's message was longer than the limit; `bytes` is its start. */
  truncated: boolean;
}

export interface DeframeResult {
  frames: Frame[];
  /** Set when the stream cannot be read further (a broken octet count): the connection should be closed. */
  error?: string;
}

export interface Deframer {
  push(chunk: Buffer): DeframeResult;
  /** The stream ended: an unterminated last line is still a message. */
  end(): Frame[];
}

const LF = 0x0a;
const SPACE = 0x20;
/** 10 digits already exceed any sane message; longer counts are junk, not framing. */
const MAX_COUNT_DIGITS = 10;

const isDigit = (byte: number): boolean => byte >= 0x30 && byte <= 0x39;

export function createDeframer(maxMessageBytes: number): Deframer {
  let method: "undetected" | "octet-counting" | "newline" = "undetected";
  // The message being read: its kept bytes, and (octet counting) how many bytes of it are still to come.
  let parts: Buffer[] = [];
  let kept = 0;
  let truncated = false;
  let count: string | null = "";
  let remaining = 0;

  const keep = (bytes: Buffer): void => {
    const room = maxMessageBytes - kept;
    if (bytes.length > room) truncated = true;
    const taken = bytes.length > room ? bytes.subarray(0, room) : bytes;
    if (taken.length > 0) {
      // A copy, so a kept slice does not pin the socket's whole chunk.
      parts.push(Buffer.from(taken));
      kept += taken.length;
    }
  };
  const finish = (): Frame => {
    const frame = { bytes: parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts, kept), truncated };
    parts = [];
    kept = 0;
    truncated = false;
    return frame;
  };

  function pushNewline(chunk: Buffer, frames: Frame[]): void {
    let start = 0;
    while (start < chunk.length) {
      const lf = chunk.indexOf(LF, start);
      if (lf === -1) {
        keep(chunk.subarray(start));
        return;
      }
      keep(chunk.subarray(start, lf));
      // Blank lines between messages carry nothing.
      if (kept > 0) frames.push(finish());
      start = lf + 1;
    }
  }

  function pushOctetCounted(chunk: Buffer, frames: Frame[]): string | undefined {
    let i = 0;
    while (i < chunk.length) {
      if (count !== null) {
        const byte = chunk[i] as number;
        i++;
        if (isDigit(byte) && count.length < MAX_COUNT_DIGITS && !(count === "" && byte === 0x30)) {
          count += String.fromCharCode(byte);
          continue;
        }
        if (byte !== SPACE || count === "")
          return `octet counting expected "LENGTH SP", got byte ${byte} after "${count}"`;
        remaining = Number(count);
        count = null;
        continue;
      }
      const take = Math.min(remaining, chunk.length - i);
      keep(chunk.subarray(i, i + take));
      i += take;
      remaining -= take;
      if (remaining === 0) {
        frames.push(finish());
        count = "";
      }
    }
    return undefined;
  }

  return {
    push(chunk) {
      const frames: Frame[] = [];
      if (chunk.length === 0) return { frames };
      if (method === "undetected") method = isDigit(chunk[0] as number) ? "octet-counting" : "newline";
      if (method === "newline") {
        pushNewline(chunk, frames);
        return { frames };
      }
      const error = pushOctetCounted(chunk, frames);
      return error === undefined ? { frames } : { frames, error };
    },
    end() {
      return method === "newline" && kept > 0 ? [finish()] : [];
    },
  };
}
