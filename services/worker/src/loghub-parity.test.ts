import { describe, expect, it } from "vitest";
import { Whitelist } from "@soc/shared";
import { createMemoryCounters } from "@soc/shared/memory";
import { createAnalyzer } from "./analyze.ts";
import { DEFAULT_KEYWORDS } from "./detection/config.ts";
import { fail2banReference, readOpenSshSample } from "./loghub.ts";

const detection = {
  keywords: DEFAULT_KEYWORDS,
  bruteForce: { threshold: 5, windowSeconds: 300 },
  spike: { baselineMinutes: 60, minRequestsPerMinute: 30, sigma: 3 },
};

describe("replaying loghub's OpenSSH_2k.log with the default thresholds", () => {
  it("flags exactly the IPs fail2ban bans, as many times", async () => {
    const analyze = createAnalyzer(detection, createMemoryCounters());
    const logs = readOpenSshSample();
    const alerts = new Map<string, number>();
    for (let start = 0; start < logs.length; start += 100) {
      const batch = logs.slice(start, start + 100).map((log, i) => ({ log, eventId: `loghub-${start + i}` }));
      for (const { features, verdict } of await analyze(batch, new Whitelist(), 0)) {
        if (verdict.rule === "brute_force" && features.ip !== null)
          alerts.set(features.ip, (alerts.get(features.ip) ?? 0) + 1);
      }
    }
    const reference = fail2banReference();
    console.table([...reference].map(([ip, bans]) => ({ ip, fail2ban: bans, ours: alerts.get(ip) ?? 0 })));
    expect(reference.size).toBe(12);
    expect([...alerts.keys()].sort()).toEqual([...reference.keys()].sort());
    expect(Object.fromEntries(alerts)).toEqual(Object.fromEntries(reference));
  });
});
