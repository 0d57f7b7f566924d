import { once } from "node:events";
import { createServer, type Server } from "node:http";
import { connect, type AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { answerUnparsableRequests } from "./unparsable-requests.ts";

/** Writes raw bytes and returns what came back before the server closed, or the socket error. */
async function exchange(server: Server, request: Buffer): Promise<{ answer: string; error?: string }> {
  const socket = connect((server.address() as AddressInfo).port, "127.0.0.1");
  let answer = "";
  socket.on("data", (chunk: Buffer) => (answer += chunk.toString("latin1")));
  socket.write(request);
  const error = await new Promise<string | undefined>((done) => {
    socket.on("error", (failure: NodeJS.ErrnoException) => done(failure.code));
    socket.on("end", () => done(undefined));
  });
  socket.destroy();
  return { answer, error };
}

const withBadByte = (method: string, bodyBytes: number): Buffer =>
  Buffer.concat([
    Buffer.from(`${method} /logs?a=`),
    Buffer.from([0xa1]),
    Buffer.from(` HTTP/1.1\r\nHost: x\r\nContent-Length: ${bodyBytes}\r\n\r\n${"x".repeat(bodyBytes)}`),
  ]);

describe("requests the HTTP parser refuses", () => {
  let server: Server;
  beforeAll(async () => {
    server = answerUnparsableRequests(createServer((_request, response) => response.end("ok")));
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
  });
  afterAll(() => new Promise<void>((done) => server.close(() => done())));

  it("answer 400 with a JSON reason, not a connection reset, while the client is still sending its body", async () => {
    const { answer, error } = await exchange(server, withBadByte("POST", 200_000));
    expect(error).toBeUndefined();
    expect(answer).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(JSON.parse(answer.slice(answer.indexOf("\r\n\r\n") + 4))).toEqual({
      detail: expect.stringContaining("could not be parsed"),
      code: "bad_request",
    });
  });

  it("answer HEAD without a body", async () => {
    const { answer } = await exchange(server, withBadByte("HEAD", 0));
    expect(answer).toBe("HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
  });

  it("answer 431 to headers past the size limit", async () => {
    const { answer, error } = await exchange(
      server,
      Buffer.from(`GET /${"a".repeat(100 * 1024)} HTTP/1.1\r\nHost: x\r\n\r\n`),
    );
    expect(error).toBeUndefined();
    expect(answer).toMatch(/^HTTP\/1\.1 431 Request Header Fields Too Large\r\n/);
  });

  it("keep serving well-formed requests", async () => {
    const { answer } = await exchange(server, Buffer.from("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
    expect(answer).toMatch(/^HTTP\/1\.1 200 OK\r\n[\s\S]*ok$/);
  });
});
