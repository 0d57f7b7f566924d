import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createDeframer, type Frame } from "./framing.ts";

/** Feeds `stream` cut at `cuts` (byte positions) and collects every frame, the end included. */
function deframe(stream: Buffer, max: number, cuts: number[] = []): { frames: Frame[]; error?: string } {
  const deframer = createDeframer(max);
  const frames: Frame[] = [];
  let start = 0;
  for (const cut of [...new Set(cuts)].sort((a, b) => a - b).concat(stream.length)) {
    const { frames: got, error } = deframer.push(stream.subarray(start, cut));
    frames.push(...got);
    if (error !== undefined) return { frames, error };
    start = cut;
  }
  return { frames: [...frames, ...deframer.end()] };
}
const texts = (frames: Frame[]): string[] => frames.map((frame) => frame.bytes.toString());
const octetCounted = (messages: string[]): Buffer =>
  Buffer.concat(messages.map((m) => Buffer.concat([Buffer.from(`${Buffer.byteLength(m)} `), Buffer.from(m)])));

describe("stream framing (RFC 6587)", () => {
  it("detects octet counting from a leading digit and newline framing otherwise", () => {
    expect(texts(deframe(Buffer.from("10 <13>hello\n11 <13>a b\nc d"), 100).frames)).toEqual([
      "<13>hello\n",
      "<13>a b\nc d",
    ]);
    expect(texts(deframe(Buffer.from("<13>one\n<13>two\r\n\n<13>last"), 100).frames)).toEqual([
      "<13>one",
      "<13>two\r",
      "<13>last",
    ]);
  });

  it("cuts a message over the limit to its start, marks it, and keeps reading the next one", () => {
    const long = `<13>${"x".repeat(50)}`;
    const { frames } = deframe(octetCounted([long, "<13>next"]), 16);
    expect(frames).toEqual([
      { bytes: Buffer.from(long.slice(0, 16)), truncated: true },
      { bytes: Buffer.from("<13>next"), truncated: false },
    ]);
    expect(deframe(Buffer.from(`${long}\n<13>next\n`), 16).frames).toEqual(frames);
  });

  it("reports a broken octet count so the connection can be closed", () => {
    expect(deframe(Buffer.from("5 <13>a12x <13>"), 100)).toEqual({
      frames: [{ bytes: Buffer.from("<13>a"), truncated: false }],
      error: 'octet counting expected "LENGTH SP", got byte 120 after "12"',
    });
    expect(deframe(Buffer.from("1234567890123 x"), 100).error).toContain("LENGTH SP");
    expect(deframe(Buffer.from("5 <13>a05 <13>b"), 100).error).toContain('after ""');
  });

  it("yields the same frames however the stream is cut into chunks", () => {
    const message = fc.string({ minLength: 1, maxLength: 80 }).map((text) => `<13>${text}`);
    fc.assert(
      fc.property(
        fc.array(message, { minLength: 1, maxLength: 12 }),
        fc.array(fc.nat(2000), { maxLength: 20 }),
        fc.integer({ min: 8, max: 120 }),
        (messages, cuts, max) => {
          const stream = octetCounted(messages);
          const { frames, error } = deframe(
            stream,
            max,
            cuts.map((cut) => cut % stream.length),
          );
          expect(error).toBeUndefined();
          expect(frames.map((f) => f.truncated)).toEqual(messages.map((m) => Buffer.byteLength(m) > max));
          expect(frames.map((f) => f.bytes)).toEqual(messages.map((m) => Buffer.from(m).subarray(0, max)));
          const lines = messages.map((m) => m.replaceAll("\n", " "));
          const newline = deframe(Buffer.from(lines.map((line) => `${line}\n`).join("")), max, cuts);
          expect(newline.frames.map((f) => f.bytes)).toEqual(lines.map((line) => Buffer.from(line).subarray(0, max)));
        },
      ),
      { numRuns: 500 },
    );
  });

  it("holds at most the limit of one message, whatever a sender streams without a delimiter", () => {
    const deframer = createDeframer(1024);
    const chunk = Buffer.alloc(64 * 1024, "a");
    deframer.push(Buffer.from("<13>"));
    for (let i = 0; i < 200; i++) expect(deframer.push(chunk).frames).toEqual([]);
    const [frame] = deframer.push(Buffer.from("\n")).frames;
    expect(frame?.bytes.length).toBe(1024);
    expect(frame?.truncated).toBe(true);
  });
});
