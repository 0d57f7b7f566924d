import { describe, expect, it } from "vitest";
import { Whitelist } from "@soc/shared";
import { DEFAULT_KEYWORDS, type DetectionConfig } from "./config.ts";
import { decide } from "./decide.ts";
import type { LogFeatures } from "./features.ts";
import type { Observations } from "./rules/rule.ts";
import type { PatternObservation } from "../patterns/novelty.ts";

const config: DetectionConfig = {
  keywords: DEFAULT_KEYWORDS,
  bruteForce: { threshold: 5, windowSeconds: 300 },
  spike: { baselineMinutes: 60, minRequestsPerMinute: 30, sigma: 3 },
};
const features = (overrides: Partial<LogFeatures> = {}): LogFeatures => ({
  ip: "198.51.100.10",
  host: null,
  ipInferred: false,
  failedLogin: null,
  keyword: null,
  endpoint: null,
  timeSeconds: 1_700_000_030,
  ...overrides,
});
const triggered = { count: 5, triggered: true, firstSeen: 1_700_000_000, lastSeen: 1_700_000_030 };
const rate = (count: number, mean: number, stddev: number) => ({ count, mean, stddev, minutes: 60 });
const run = (f: LogFeatures, observations: Observations = {}, whitelist = new Whitelist()) =>
  decide({ features: f, observations, whitelist, config });

describe("decide: the rules in the contract's order", () => {
  it("treats a whitelisted address as normal even when everything else would fire", () => {
    const verdict = run(
      features({ keyword: "failed", failedLogin: "sshd-failed-auth" }),
      { failure: triggered },
      new Whitelist(["198.51.100.0/24"]),
    );
    expect(verdict).toEqual({ is_anomaly: false, reason: null, severity: null, rule: "whitelist", alert: null });
  });

  it("never lets the whitelist silence an address only found somewhere in the text", () => {
    const verdict = run(
      features({ ipInferred: true, failedLogin: "generic-failed-login", keyword: "failed" }),
      { failure: triggered },
      new Whitelist(["198.51.100.0/24"]),
    );
    expect(verdict.rule).toBe("brute_force");
  });

  it("names a host given only by name in the brute-force reason", () => {
    const verdict = run(features({ ip: null, host: "scanner.example.net", failedLogin: "pam-auth-failure" }), {
      failure: triggered,
    });
    expect(verdict.reason).toBe("Brute-force attempt detected from scanner.example.net (5 attempts).");
  });

  it("reports brute force in the contract's wording, with the facts for the alert", () => {
    const verdict = run(features({ failedLogin: "sshd-failed-auth", keyword: "failed" }), { failure: triggered });
    expect(verdict.reason).toBe("Brute-force attempt detected from 198.51.100.10 (5 attempts).");
    expect(verdict.alert).toMatchObject({
      type: "brute_force",
      count: 5,
      windowSeconds: 300,
      firstSeen: 1_700_000_000,
      lastSeen: 1_700_000_030,
    });
  });

  it("falls back to the keyword rule for a failure below the threshold", () => {
    const verdict = run(features({ failedLogin: "sshd-failed-auth", keyword: "failed" }), {
      failure: { ...triggered, count: 3, triggered: false },
    });
    expect(verdict).toEqual({
      is_anomaly: true,
      reason: "Log contains anomalous keyword.",
      severity: "medium",
      rule: "keyword",
      alert: null,
    });
  });

  it.each([
    ["a jump far above a steady baseline, at the minimum count", rate(30, 5, 1), true],
    ["the request after the crossing (fires once per minute)", rate(31, 5, 1), false],
    ["0 → 3, under the minimum count", rate(3, 0, 0), false],
    ["busy but within mean + 3σ", rate(60, 50, 5), false],
    ["just above mean + 3σ", rate(66, 50, 5), true],
  ])("spike rule: %s → %s", (_, ipRate, fires) => {
    const verdict = run(features(), { ipRate });
    expect(verdict.rule === "traffic_spike").toBe(fires);
  });

  it("names the endpoint of a per-endpoint spike", () => {
    const verdict = run(features({ ip: null, endpoint: "/login" }), { endpointRate: rate(30, 0, 0) });
    expect(verdict.reason).toBe("Traffic spike on /login: 30 requests this minute (baseline 0.0 ± 0.0).");
    expect(verdict.alert?.details).toMatchObject({ scope: "endpoint", subject: "on /login" });
  });

  it("leaves an ordinary line normal", () => {
    expect(run(features({ ip: null }))).toEqual({
      is_anomaly: false,
      reason: null,
      severity: null,
      rule: null,
      alert: null,
    });
  });
});

describe("decide: the rules learned from log templates", () => {
  const pattern = (overrides: Partial<PatternObservation> = {}): PatternObservation => ({
    id: "00000000000000aa",
    template: "ciod: Error reading message prefix on CioStream socket to <IP>:<NUM>",
    source: "bgl",
    seenBefore: 40,
    warmedUp: true,
    novel: false,
    escalated: false,
    ...overrides,
  });
  const quiet = features({ ip: null });

  it("raises a template's first line after warm-up at low severity, naming source and template", () => {
    const verdict = run(quiet, { pattern: pattern({ novel: true, seenBefore: 0 }) });
    expect(verdict).toEqual({
      is_anomaly: true,
      reason: 'New log pattern from bgl: "ciod: Error reading message prefix on CioStream socket to <IP>:<NUM>".',
      severity: "low",
      rule: "new_pattern",
      alert: null,
    });
  });

  it("raises a burst of a known template at medium severity, once per minute, with its baseline", () => {
    const verdict = run(quiet, { pattern: pattern(), patternRate: rate(20, 0.1, 0.3) });
    expect(verdict).toMatchObject({ rule: "pattern_rate", severity: "medium", alert: null });
    expect(verdict.reason).toBe(
      'Burst of a log pattern from bgl: "ciod: Error reading message prefix on CioStream socket to <IP>:<NUM>": 20 lines this minute (baseline 0.1 ± 0.3).',
    );
    expect(run(quiet, { pattern: pattern(), patternRate: rate(21, 0.1, 0.3) }).rule).toBeNull();
  });

  it.each([
    ["under the floor", rate(19, 0, 0), true],
    ["within mean + 3σ of a busy template", rate(120, 100, 10), true],
    ["while the source warms up", rate(20, 0, 0), false],
  ])("lets a template's rate pass %s", (_, patternRate, warmedUp) => {
    expect(run(quiet, { pattern: pattern({ warmedUp }), patternRate }).rule).toBeNull();
  });

  it("keeps a keyword on a familiar template an anomaly, at informational severity", () => {
    const familiar = run(features({ keyword: "error", ip: null }), { pattern: pattern({ seenBefore: 1_000 }) });
    expect(familiar).toEqual({
      is_anomaly: true,
      reason: "Log contains anomalous keyword.",
      severity: "info",
      rule: "keyword",
      alert: null,
    });
    expect(run(features({ keyword: "error", ip: null }), { pattern: pattern({ seenBefore: 999 }) }).severity).toBe(
      "medium",
    );
  });

  it("keeps a keyword on a template an analyst escalated at medium, however familiar", () => {
    expect(
      run(features({ keyword: "error", ip: null }), { pattern: pattern({ seenBefore: 5_000, escalated: true }) })
        .severity,
    ).toBe("medium");
  });

  it("takes the burst before the keyword and the keyword before the new template", () => {
    expect(
      run(features({ keyword: "error", ip: null }), { pattern: pattern(), patternRate: rate(20, 0, 0) }).rule,
    ).toBe("pattern_rate");
    expect(
      run(features({ keyword: "error", ip: null }), { pattern: pattern({ novel: true, seenBefore: 0 }) }).rule,
    ).toBe("keyword");
  });
});
