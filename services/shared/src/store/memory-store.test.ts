import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createMemoryStore } from "./memory-store.ts";
import { storeContract } from "./store.contract.ts";

describe("in-memory store", () => {
  storeContract(async () => createMemoryStore());

  it("keeps documents and status changes across a restart in its data directory", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "soc-store-"));
    const before = createMemoryStore({ dataDir });
    await before.bulkIndex([
      { id: "x", message: "m", timestamp: 1, status: "new", is_anomaly: true, reason: "r", source_ip: null },
    ]);
    await before.updateStatus("x", "resolved", 2);
    const after = createMemoryStore({ dataDir });
    expect(await after.get("x")).toMatchObject({ status: "resolved", status_updated_at: 2 });
  });
});
