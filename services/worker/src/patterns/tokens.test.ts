import { describe, expect, it } from "vitest";
import { differInOneVariable, parseLine, shapeOf } from "./tokens.ts";

describe("shapeOf", () => {
  it("writes every variable part <*> and keeps the words", () => {
    expect(shapeOf("uid=<NUM>")).toBe("uid=<*>");
    expect(shapeOf("[Thunderbird_A8]")).toBe("[Thunderbird_<*>]");
    expect(shapeOf("attempt_1445144423722_0020_m_000000_0")).toBe("attempt_<*>_m_<*>");
    expect(shapeOf("isOverlap:false,")).toBe("isOverlap:false,");
  });
});

describe("parseLine", () => {
  it("puts values in gaps between slots, so optional values keep one key", () => {
    const short = parseLine("proxy.cse.cuhk.edu.hk:5070 close, 0 bytes sent, 0 bytes received, lifetime 00:01");
    const long = parseLine(
      "proxy.cse.cuhk.edu.hk:5070 close, 1190 bytes (1.16 KB) sent, 1671 bytes (1.63 KB) received, lifetime <1 sec",
    );
    expect(short.shapes).toEqual(["close,", "bytes", "sent,", "bytes", "received,", "lifetime"]);
    expect(long.shapes).toEqual(short.shapes);
    expect(long.gaps).toEqual(["<HOST>:<NUM>", "<NUM>", "(<SIZE>)", "<NUM>", "(<SIZE>)", "", "<DURATION>"]);
  });

  it("keeps at most 256 tokens of a line", () => {
    expect(parseLine("word ".repeat(10_000)).shapes).toHaveLength(256);
  });
});

describe("differInOneVariable", () => {
  it("accepts one variable written another way, never a different word", () => {
    expect(
      differInOneVariable(
        parseLine("ciod: generated 64 core files for program /bgl/apps/run"),
        parseLine("ciod: generated 64 core files for program IMB-MPI1.2MB_perf"),
      ),
    ).toBe(true);
    expect(
      differInOneVariable(
        parseLine("Block rdd_2_2 stored as bytes"),
        parseLine("Block broadcast_9_piece0 stored as bytes"),
      ),
    ).toBe(true);
    expect(differInOneVariable(parseLine("a b uid=1 gid=2"), parseLine("a b pid=1 tid=2"))).toBe(false);
  });
});
