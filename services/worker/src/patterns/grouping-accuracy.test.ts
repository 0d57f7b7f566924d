import { describe, expect, it } from "vitest";
import { groupingAccuracy } from "./grouping-accuracy.ts";

describe("groupingAccuracy", () => {
  it("counts a line right only when its whole group matches the truth's", () => {
    expect(groupingAccuracy(["a", "a", "b", "c"], ["E1", "E1", "E2", "E3"])).toBe(1);
    // One stray line spoils both groups it touches: E1 is split, and b mixes E1 with E2.
    expect(groupingAccuracy(["a", "b", "b", "c"], ["E1", "E1", "E2", "E3"])).toBe(0.25);
    // Merging two events costs both.
    expect(groupingAccuracy(["a", "a", "a"], ["E1", "E1", "E2"])).toBe(0);
  });
});
