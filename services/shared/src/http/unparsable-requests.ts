/**
 * Requests Node's HTTP parser refuses (a raw non-ASCII byte in the request line, headers past the
 * size limit, a broken chunked body) get one answer and a lingering close. Node's own handler
 * writes the answer and destroys the socket at once; with request bytes still unread, the kernel
 * then sends a reset that usually reaches the client before the answer, so clients see
 * ECONNRESET instead of a status. Reading and dropping the rest for a moment, as nginx's
 * lingering_close does, lets the answer arrive. Node built-ins only: the dashboard server uses it.
 */
import type { Server } from "node:http";
import type { Duplex } from "node:stream";

const LINGER_MS = 2_000;
const LINGER_BYTES = 1 << 20;

/** Status and reason for a parser error code, as Node's default handler chooses them. */
function statusFor(code: string | undefined): [number, string] {
  if (code === "HPE_HEADER_OVERFLOW") return [431, "Request Header Fields Too Large"];
  if (code === "ERR_HTTP_REQUEST_TIMEOUT") return [408, "Request Timeout"];
  return [400, "Bad Request"];
}

/** The answer's bytes; a reply to HEAD carries no body, or the client would read it as the next response. */
function answerFor(code: string | undefined, rawPacket: Buffer | undefined): string {
  const [status, reason] = statusFor(code);
  const head = `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\n`;
  if (rawPacket?.subarray(0, 5).toString("latin1") === "HEAD ") return `${head}Content-Length: 0\r\n\r\n`;
  const body = JSON.stringify({
    detail: `The request could not be parsed as HTTP/1.1: ${reason.toLowerCase()}`,
    code: "bad_request",
  });
  return `${head}Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
}

function answerAndLinger(socket: Duplex, answer: string): void {
  socket.end(answer);
  let dropped = 0;
  socket.on("data", (chunk: Buffer) => {
    dropped += chunk.length;
    if (dropped > LINGER_BYTES) socket.destroy();
  });
  setTimeout(() => socket.destroy(), LINGER_MS).unref();
}

export function answerUnparsableRequests<S extends Server>(server: S): S {
  // The parser keeps reporting errors for the bytes that follow the first; answer only the first.
  const answered = new WeakSet<Duplex>();
  server.on("clientError", (error: NodeJS.ErrnoException & { rawPacket?: Buffer }, socket: Duplex) => {
    if (answered.has(socket)) return;
    answered.add(socket);
    // A response already under way cannot be followed by another status line.
    const inFlight =
      (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent === true;
    if (!socket.writable || inFlight) {
      socket.destroy();
      return;
    }
    answerAndLinger(socket, answerFor(error.code, error.rawPacket));
  });
  return server;
}
