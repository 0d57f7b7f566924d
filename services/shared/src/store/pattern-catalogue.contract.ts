/** The behaviour every PatternCatalogue adapter must have; run in memory and against real Redis. */
import { expect, it } from "vitest";
import type { PatternBatch, PatternCatalogue, PatternCatalogueLimits, PatternSighting } from "./pattern-catalogue.ts";

const ID = {
  root: "0000000000000001",
  admin: "0000000000000002",
  closed: "0000000000000003",
  cron: "0000000000000004",
};

const sighting = (
  id: string,
  lines: number,
  firstSeen: number,
  lastSeen = firstSeen,
  template = `template ${id}`,
): PatternSighting => ({
  id,
  template,
  lines,
  firstSeen,
  lastSeen,
  sample: `line of ${id}`,
  firstLogId: `logs-0-${firstSeen}`,
});
const batch = (source: string, sightings: PatternSighting[], merged: PatternBatch["merged"] = []): PatternBatch => ({
  source,
  lines: sightings.reduce((sum, s) => sum + s.lines, 0),
  firstSeen: Math.min(...sightings.map((s) => s.firstSeen)),
  sightings,
  merged,
});

export function patternCatalogueContract(make: (limits?: PatternCatalogueLimits) => Promise<PatternCatalogue>): void {
  it("answers what was known before the batch, and counts every line", async () => {
    const catalogue = await make();
    const first = await catalogue.record(batch("sshd", [sighting(ID.root, 3, 1_000, 1_010)]));
    expect(first).toEqual({
      sourceLines: 0,
      sourceFirstSeen: 1_000,
      patterns: [{ known: false, seenBefore: 0, escalated: false }],
    });
    const second = await catalogue.record(
      batch("sshd", [sighting(ID.root, 2, 900, 1_100), sighting(ID.closed, 1, 1_050)]),
    );
    expect(second).toEqual({
      sourceLines: 3,
      sourceFirstSeen: 900,
      patterns: [
        { known: true, seenBefore: 3, escalated: false },
        { known: false, seenBefore: 0, escalated: false },
      ],
    });
    const page = await catalogue.list({ source: "sshd", limit: 10 });
    expect(page.items[0]).toEqual({
      id: ID.root,
      source: "sshd",
      template: `template ${ID.root}`,
      count: 5,
      first_seen: 900,
      last_seen: 1_100,
      sample: `line of ${ID.root}`,
      first_log_id: "logs-0-1000",
      escalated: false,
    });
  });

  it("finds a template new again when the batch that brought it is redelivered", async () => {
    const catalogue = await make();
    const delivered = batch("sshd", [sighting(ID.root, 1, 1_000)]);
    await catalogue.record(delivered);
    expect((await catalogue.record(delivered)).patterns[0]?.known).toBe(false);
    expect((await catalogue.record(batch("sshd", [sighting(ID.root, 1, 1_001)]))).patterns[0]?.known).toBe(true);
  });

  it("keeps each source apart", async () => {
    const catalogue = await make();
    await catalogue.record(batch("sshd", [sighting(ID.root, 1, 1_000)]));
    const other = await catalogue.record(batch("nginx", [sighting(ID.root, 1, 2_000)]));
    expect(other.patterns).toEqual([{ known: false, seenBefore: 0, escalated: false }]);
    expect(other.sourceLines).toBe(0);
    expect((await catalogue.list({ source: "nginx", limit: 10 })).items.map((p) => p.source)).toEqual(["nginx"]);
  });

  it("lists the most recently seen first and pages without skipping or repeating", async () => {
    const catalogue = await make();
    await catalogue.record(
      batch("sshd", [sighting(ID.root, 1, 1_000), sighting(ID.admin, 1, 3_000), sighting(ID.closed, 1, 2_000)]),
    );
    await catalogue.record(batch("cron", [sighting(ID.cron, 1, 2_000)]));
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await catalogue.list({ limit: 1, ...(cursor !== undefined ? { cursor } : {}) });
      expect(page.total).toBe(4);
      seen.push(...page.items.map((p) => `${p.source}/${p.id}`));
      cursor = page.next_cursor ?? undefined;
    } while (cursor !== undefined);
    // Equal times: the higher id first, as Redis orders them.
    expect(seen).toEqual([`sshd/${ID.admin}`, `cron/${ID.cron}`, `sshd/${ID.closed}`, `sshd/${ID.root}`]);
    const sshd = await catalogue.list({ source: "sshd", limit: 2 });
    expect(sshd.items.map((p) => p.id)).toEqual([ID.admin, ID.closed]);
    expect(
      (await catalogue.list({ source: "sshd", limit: 2, cursor: sshd.next_cursor ?? "" })).items.map((p) => p.id),
    ).toEqual([ID.root]);
  });

  it("moves a merged template's lines and times to the template it joined", async () => {
    const catalogue = await make();
    await catalogue.record(batch("sshd", [sighting(ID.root, 4, 1_000), sighting(ID.admin, 2, 900, 1_200)]));
    await catalogue.record(batch("sshd", [sighting(ID.root, 1, 1_300)], [{ from: ID.admin, into: ID.root }]));
    const { items } = await catalogue.list({ source: "sshd", limit: 10 });
    expect(items).toMatchObject([{ id: ID.root, count: 7, first_seen: 900, last_seen: 1_300 }]);
  });

  it("marks a template escalated and says so in later answers", async () => {
    const catalogue = await make();
    await catalogue.record(batch("sshd", [sighting(ID.root, 1, 1_000)]));
    expect(await catalogue.markEscalated("sshd", ID.root)).toBe(true);
    expect(await catalogue.markEscalated("sshd", ID.admin)).toBe(false);
    expect((await catalogue.record(batch("sshd", [sighting(ID.root, 1, 1_001)]))).patterns).toEqual([
      { known: true, seenBefore: 1, escalated: true },
    ]);
  });

  it("forgets the least recently seen beyond its limits, so a flood of templates cannot grow it", async () => {
    const catalogue = await make({ maxPerSource: 2, maxTotal: 3 });
    await catalogue.record(
      batch("sshd", [sighting(ID.root, 1, 1_000), sighting(ID.admin, 1, 1_001), sighting(ID.closed, 1, 1_002)]),
    );
    expect((await catalogue.list({ source: "sshd", limit: 10 })).items.map((p) => p.id)).toEqual([ID.closed, ID.admin]);
    await catalogue.record(batch("cron", [sighting(ID.cron, 1, 1_003), sighting(ID.root, 1, 1_004)]));
    const all = await catalogue.list({ limit: 10 });
    expect(all.items.map((p) => `${p.source}/${p.id}`)).toEqual([
      `cron/${ID.root}`,
      `cron/${ID.cron}`,
      `sshd/${ID.closed}`,
    ]);
    expect(all.total).toBe(3);
    // Forgotten means new again.
    expect((await catalogue.record(batch("sshd", [sighting(ID.root, 1, 1_005)]))).patterns[0]?.known).toBe(false);
  });
}
