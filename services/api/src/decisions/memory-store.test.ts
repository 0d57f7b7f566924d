import { mkdtempSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { banRequest, decisionStoreContract } from "./decision-store.contract.ts";
import { createMemoryDecisionStore } from "./memory-store.ts";

describe("in-memory bans", () => {
  decisionStoreContract(async () => createMemoryDecisionStore());

  it("keeps bans, ids and bouncer views across a restart in an owner-only file", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "soc-bans-")), "decisions.json");
    const first = createMemoryDecisionStore({ file });
    const { ban } = await first.ban(banRequest("203.0.113.9", 2_000_000_000), 1_800_000_000);
    await first.saveBouncerView("edge", [ban]);

    const second = createMemoryDecisionStore({ file });
    expect(await second.active(1_800_000_000)).toEqual([ban]);
    expect(await second.bouncerView("edge")).toEqual([ban]);
    expect((await second.ban(banRequest("203.0.113.10", 2_000_000_000), 1_800_000_000)).ban.id).toBe(ban.id + 1);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });
});
