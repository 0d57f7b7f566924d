import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { PatternMiner, type MinerSnapshot } from "./miner.ts";

const failed = (user: string, i: number) =>
  `Failed password for ${user} from 10.0.${i % 250}.${(i * 7) % 250} port ${40000 + i} ssh2`;

describe("PatternMiner", () => {
  it("gives lines of one template one id, and a new template a new one", () => {
    const miner = new PatternMiner();
    const first = miner.add("Accepted password for root from 10.0.0.1 port 22 ssh2");
    const second = miner.add("Accepted password for root from 192.168.7.9 port 5022 ssh2");
    const other = miner.add("Connection closed by 10.0.0.1 [preauth]");
    expect(first).toMatchObject({ isNew: true, template: "Accepted password for root from <IP> port <NUM> ssh2" });
    expect(second).toEqual({ ...first, isNew: false });
    expect(other.id).not.toBe(first.id);
    expect(first.id).toMatch(/^[0-9a-f]{16}$/);
  });

  it("keeps words that differ as different events", () => {
    const miner = new PatternMiner();
    const states = ["Paused", "Resumed", "Started", "Stopped"].map(
      (state) => miner.add(`[instance: 0673dd71-34c5-4fbb-86c4-40623fbe45b4] VM ${state} (Lifecycle Event)`).id,
    );
    expect(new Set(states).size).toBe(4);
    expect(miner.add("updateClipping isOverlap:true, getTopPadding=333.0").id).not.toBe(
      miner.add("updateClipping isOverlap:false, getTopPadding=333.0").id,
    );
  });

  it("turns a position into a variable once five templates differ only there, under the oldest id", () => {
    const miner = new PatternMiner();
    const ids = ["root", "admin", "test", "oracle"].map((user, i) => miner.add(failed(user, i)).id);
    expect(new Set(ids).size).toBe(4);
    const fifth = miner.add(failed("guest", 4));
    expect(fifth).toEqual({ id: ids[0], isNew: false, template: "Failed password for <*> from <IP> port <NUM> ssh2" });
    expect(ids.map((id) => miner.resolve(id))).toEqual(Array(4).fill(ids[0]));
    expect(miner.add(failed("webmaster", 5)).id).toBe(ids[0]);
    // A user name made of digits is a gap where the others are a word: the same template.
    expect(miner.add(failed("0101", 6)).id).toBe(ids[0]);
    expect(miner.size).toBe(1);
  });

  it("keeps a template's id while its template generalises, and names it alike in every miner", () => {
    const a = new PatternMiner();
    const b = new PatternMiner();
    const first = a.add("job 17 finished in 3 ms");
    expect(a.add("job 18 finished in 2.5 seconds").id).toBe(first.id);
    expect(a.template(first.id)).toBe("job <NUM> finished in <DURATION>");
    expect(b.add("job 99 finished in 1 ms").id).toBe(first.id);
  });

  it("holds one template per event across optional values", () => {
    const miner = new PatternMiner();
    const ids = [
      "proxy.cse.cuhk.edu.hk:5070 close, 0 bytes sent, 0 bytes received, lifetime 00:01",
      "qa.sockets.stackexchange.com:443 close, 1190 bytes (1.16 KB) sent, 1671 bytes (1.63 KB) received, lifetime <1 sec",
      "223.167.104.147:80 close, 451 bytes sent, 353 bytes (353 B) received, lifetime 00:02",
    ].map((line) => miner.add(line).id);
    expect(new Set(ids).size).toBe(1);
    expect(miner.template(ids[0] as string)).toBe(
      "<*> close, <NUM> bytes <*> sent, <NUM> bytes <*> received, lifetime <*>",
    );
  });

  it("forgets the least recently seen template beyond its cap", () => {
    const miner = new PatternMiner({ maxTemplates: 3 });
    const kept = miner.add("alpha started").id;
    for (const word of ["beta", "gamma", "delta", "epsilon"]) {
      miner.add(`${word} started`);
      miner.add("alpha started");
    }
    expect(miner.size).toBe(3);
    expect(miner.template(kept)).toBe("alpha started");
    expect(miner.template(miner.add("beta started").id)).toBe("beta started");
  });

  it("stays within its cap on arbitrary input", () => {
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 80 }), { maxLength: 300 }), (lines) => {
        const miner = new PatternMiner({ maxTemplates: 20 });
        for (const line of lines) {
          const mined = miner.add(line);
          expect(miner.template(mined.id)).toBe(mined.template);
        }
        expect(miner.size).toBeLessThanOrEqual(20);
        expect(JSON.stringify(miner.snapshot().templates).length).toBeLessThan(20 * 80 * 40);
      }),
      { numRuns: 50 },
    );
  });

  it("continues from a JSON snapshot exactly as if it had never stopped", () => {
    const word = fc.constantFrom(
      "open",
      "close",
      "user",
      "root",
      "admin",
      "failed",
      "from",
      "port",
      "x",
      "y",
      "z",
      "ok",
    );
    const token = fc.oneof(word, fc.integer({ min: 0, max: 99_999 }).map(String), fc.ipV4());
    const line = fc.array(token, { minLength: 1, maxLength: 8 }).map((tokens) => tokens.join(" "));
    fc.assert(
      fc.property(fc.array(line, { maxLength: 200 }), fc.array(line, { maxLength: 200 }), (before, after) => {
        const straight = new PatternMiner({ maxTemplates: 30 });
        const stopped = new PatternMiner({ maxTemplates: 30 });
        for (const l of before) {
          straight.add(l);
          stopped.add(l);
        }
        const restored = PatternMiner.restore(JSON.parse(JSON.stringify(stopped.snapshot())) as MinerSnapshot);
        expect(after.map((l) => restored.add(l))).toEqual(after.map((l) => straight.add(l)));
      }),
      { numRuns: 100 },
    );
  });
});
