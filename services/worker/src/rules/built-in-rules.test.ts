import { describe, expect, it } from "vitest";
import { Whitelist } from "@soc/shared";
import { createMemoryCounters } from "@soc/shared/memory";
import { createAnalyzer } from "../analyze.ts";
import { DEFAULT_KEYWORDS } from "../detection/config.ts";
import { fail2banReference, readOpenSshSample } from "../loghub.ts";
import { createRuleEngine } from "./engine.ts";
import { BUILT_IN_RULES_DIR, loadRules } from "./load.ts";

const rules = loadRules(BUILT_IN_RULES_DIR);
const logs = readOpenSshSample();
const inputs = logs.map((log, i) => ({ log, eventId: `loghub-${i}` }));

async function alertsOfRule(id: string) {
  const evaluate = createRuleEngine(
    rules.filter((rule) => rule.id === id),
    createMemoryCounters(),
  );
  return (await evaluate(inputs, new Whitelist(), 0)).flatMap((found, line) =>
    found.map((alert) => ({ line, key: alert.key, reason: alert.reason })),
  );
}

describe("the built-in rules on loghub's OpenSSH_2k.log", () => {
  it("ssh-brute-force raises on exactly the lines, with the reasons, of the built-in brute-force rule (fail2ban parity)", async () => {
    const analyze = createAnalyzer(
      {
        keywords: DEFAULT_KEYWORDS,
        bruteForce: { threshold: 5, windowSeconds: 300 },
        spike: { baselineMinutes: 60, minRequestsPerMinute: 30, sigma: 3 },
      },
      createMemoryCounters(),
    );
    const builtIn = (await analyze(inputs, new Whitelist(), 0)).flatMap(({ features, verdict }, line) =>
      verdict.rule === "brute_force" ? [{ line, key: features.ip ?? features.host, reason: verdict.reason }] : [],
    );
    const data = await alertsOfRule("ssh-brute-force");
    expect(data).toEqual(builtIn);
    const perAddress = new Map<string, number>();
    for (const { key } of data) perAddress.set(key, (perAddress.get(key) ?? 0) + 1);
    expect(Object.fromEntries(perAddress)).toEqual(Object.fromEntries(fail2banReference()));
  });

  it("password-spraying names the addresses that tried ten or more user names within ten minutes", async () => {
    const alerts = await alertsOfRule("password-spraying");
    const perAddress = new Map<string, number>();
    for (const { key } of alerts) perAddress.set(key, (perAddress.get(key) ?? 0) + 1);
    expect(Object.fromEntries(perAddress)).toEqual({ "103.99.0.122": 3, "187.141.143.180": 3, "183.62.140.253": 1 });
    expect(alerts[0]?.reason).toBe(
      "Password spraying from 103.99.0.122: 10 different user names failed within 10 minutes.",
    );
  });
});
