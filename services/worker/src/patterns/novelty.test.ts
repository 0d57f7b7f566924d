import { describe, expect, it } from "vitest";
import type { PatternHistory } from "@soc/shared";
import { observeLines, type MinedLine } from "./novelty.ts";

const line = (id: string, timeSeconds: number): MinedLine => ({ id, template: `template ${id}`, timeSeconds });
const history = (
  sourceLines: number,
  sourceFirstSeen: number,
  patterns: PatternHistory["patterns"],
): PatternHistory => ({ sourceLines, sourceFirstSeen, patterns });
const unknown = { known: false, seenBefore: 0, escalated: false };
const warmup = { lines: 10, minutes: 5 };

describe("observeLines", () => {
  it("finds nothing new while the source has sent fewer lines than the warm-up", () => {
    const observed = observeLines(
      "sshd",
      [line("a", 1_000), line("b", 1_001)],
      [0, 1],
      history(8, 0, [unknown, unknown]),
      warmup,
    );
    expect(observed.map((o) => [o.warmedUp, o.novel])).toEqual([
      [false, false],
      [false, false],
    ]);
  });

  it("finds nothing new within the warm-up's minutes of the source's first line, however many lines", () => {
    const [observed] = observeLines("sshd", [line("a", 1_299)], [0], history(1_000_000, 1_000, [unknown]), warmup);
    expect(observed?.novel).toBe(false);
    const [after] = observeLines("sshd", [line("a", 1_300)], [0], history(1_000_000, 1_000, [unknown]), warmup);
    expect(after?.novel).toBe(true);
  });

  it("ends the warm-up at the line that completes it, in the middle of a batch", () => {
    const observed = observeLines(
      "sshd",
      [line("a", 5_000), line("b", 5_001)],
      [0, 1],
      history(9, 0, [unknown, unknown]),
      warmup,
    );
    expect(observed.map((o) => o.novel)).toEqual([false, true]);
  });

  it("calls only a template's first line in the batch new and counts the earlier ones as seen", () => {
    const observed = observeLines(
      "sshd",
      [line("a", 5_000), line("a", 5_001), line("b", 5_002)],
      [0, 0, 1],
      history(100, 0, [unknown, { known: true, seenBefore: 7, escalated: true }]),
      warmup,
    );
    expect(observed).toEqual([
      { id: "a", template: "template a", source: "sshd", seenBefore: 0, warmedUp: true, novel: true, escalated: false },
      {
        id: "a",
        template: "template a",
        source: "sshd",
        seenBefore: 1,
        warmedUp: true,
        novel: false,
        escalated: false,
      },
      { id: "b", template: "template b", source: "sshd", seenBefore: 7, warmedUp: true, novel: false, escalated: true },
    ]);
  });
});
