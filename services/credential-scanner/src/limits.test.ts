import { describe, expect, it } from "vitest";
import { DEFAULT_SCAN_LIMITS, scanText } from "./scan.ts";

/** `unit` repeated to exactly `size` characters. */
const fill = (unit: string, size: number): string => unit.repeat(Math.ceil(size / unit.length)).slice(0, size);
/** Distinct, format-valid fake AWS access key ids, one a line. */
const fakeAwsKeyIds = (count: number): string[] =>
  Array.from({ length: count }, (_, i) => `AKIA${String(i).padStart(16, "0")}`);
const UNCAPPED = {
  maxChars: Number.POSITIVE_INFINITY,
  maxFindings: Number.POSITIVE_INFINITY,
  budgetMs: Number.POSITIVE_INFINITY,
};

// Each linear rule takes milliseconds on 384 KB; the bound is only a safety net. Sizes double up to
// GitHub's 384 KB, so a superlinear pattern fails at the first size over the bound (old code: a few
// seconds) instead of hanging on the largest.
const SAFETY_NET_MS = 2_000;
const SIZES = [6_000, 12_000, 24_000, 48_000, 96_000, 192_000, 384_000];

describe("the scan's cost on attacker-chosen text", () => {
  it.each([
    // Old entropy rule: 6 KB took 5 s here (8 s in the audit), 24 KB over ten minutes (audit H4).
    "token.",
    // Old JWT rule: quadratic, 96 KB took 12 s.
    "eyJ-",
    // Attack strings recheck reported for the old JWT and entropy patterns (96 KB: 3.4 s, 3.6 s).
    "eyJ-y00ey-",
    "U-_",
    // Old entropy rule, quadratic on any long run of name characters (96 KB: 2.2 s).
    "xoxb-",
    'password="',
    "redis://a:",
    '"private_key":"-----BEGIN PRIVATE KEY-----',
  ])("scans %j repeated up to 384 KB within the safety net", (attack) => {
    for (const size of SIZES) {
      const started = performance.now();
      scanText("src/app.js", fill(attack, size), { limits: UNCAPPED });
      expect(performance.now() - started, `${size} characters`).toBeLessThan(SAFETY_NET_MS);
    }
  });

  it("keeps at most maxFindings findings per file and says it stopped", () => {
    // The audit's flood: 18,000 fake key ids in 378 KB made 17,964 findings, then as many alerts.
    const result = scanText("keys.txt", fakeAwsKeyIds(18_000).join("\n").slice(0, 378_000));
    expect(result.findings).toHaveLength(DEFAULT_SCAN_LIMITS.maxFindings);
    expect(result.limitsHit).toEqual(["findings"]);
  });

  it("numbers lines and folds repeats in near-linear time when uncapped", () => {
    const ids = fakeAwsKeyIds(18_000);
    const started = performance.now();
    // Each id twice: the repeat is one finding, on the line it first appears.
    const { findings, limitsHit } = scanText("keys.txt", [...ids, ...ids].join("\n"), { limits: UNCAPPED });
    expect(performance.now() - started).toBeLessThan(SAFETY_NET_MS);
    expect(limitsHit).toEqual([]);
    expect(findings).toHaveLength(ids.length);
    expect(findings.map((f) => f.line)).toEqual(ids.map((_, i) => i + 1));
  });

  it("scans only the first maxChars characters", () => {
    const text = `${"x".repeat(100)}\nstripe.api_key = "sk_live_4eC39HqLyjWDarjtT1zdp7dc"\n`;
    expect(scanText("app.py", text, { limits: { ...DEFAULT_SCAN_LIMITS, maxChars: 100 } })).toEqual({
      findings: [],
      limitsHit: ["size"],
    });
    expect(scanText("app.py", text).findings).toHaveLength(1);
  });

  it("stops at the time budget, checked before each candidate", () => {
    let clock = 0;
    const tick = (): number => (clock += 10);
    const result = scanText("keys.txt", fakeAwsKeyIds(50).join("\n"), {
      limits: { ...DEFAULT_SCAN_LIMITS, budgetMs: 95 },
      now: tick,
    });
    // The deadline is read at 10 ms (95 ms later: 105); candidates are admitted at 20, 30, … 100.
    expect(result.findings).toHaveLength(9);
    expect(result.limitsHit).toEqual(["time"]);
  });
});
