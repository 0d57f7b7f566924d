import { describe, expect, it } from "vitest";
import { labelledCorpus, score } from "./corpus.ts";
import { entropyThreshold, shannonEntropy } from "./rules/entropy.ts";
import { scanText } from "./scan.ts";

describe("the secret rules on the labelled corpus", () => {
  it("keep precision and recall at 1.00", () => {
    const corpus = labelledCorpus();
    const results = corpus.map((file) => ({
      path: file.path,
      expected: file.expected,
      found: scanText(file.path, file.text).findings.map((f) => f.rule),
    }));
    const misses = results.filter((r) => r.found.join() !== r.expected.join());
    const measured = score(results);
    console.log(JSON.stringify({ files: corpus.length, ...measured, misses: misses.slice(0, 5) }));
    expect(measured.precision).toBe(1);
    expect(measured.recall).toBe(1);
  });

  it("never carries the secret itself in a finding", () => {
    const secret = "sk_live_51HxYzAbCdEfGhIjKlMnOpQrSt";
    const [finding] = scanText("app.py", `stripe.api_key = "${secret}"\n`).findings;
    expect(finding).toMatchObject({ rule: "stripe-live-key", line: 1, redacted: "sk_l****************" });
    expect(JSON.stringify(finding)).not.toContain(secret.slice(4));
  });

  it("sets the entropy bar by character set and length", () => {
    expect(entropyThreshold("0123456789abcdef0123456789abcdef")).toBeCloseTo(4 * 0.82);
    expect(entropyThreshold("A".repeat(20) + "b/")).toBeCloseTo(Math.log2(22) * 0.82);
    expect(shannonEntropy("aaaa")).toBe(0);
  });
});
