import type { RateResult } from "@soc/shared";
import type { DetectionConfig } from "../config.ts";
import { sourceKey } from "../features.ts";
import type { Rule, Verdict } from "./rule.ts";

/** Above mean + σ·stddev of the baseline and above the floor that keeps 0 → 3 from counting. */
export function isAboveBaseline(count: number, rate: RateResult, spike: DetectionConfig["spike"]): boolean {
  return count >= spike.minRequestsPerMinute && count > rate.mean + spike.sigma * rate.stddev;
}

/** Fires once per key and minute: on the request that crosses the threshold. */
export function crossesThreshold(rate: RateResult, spike: DetectionConfig["spike"]): boolean {
  return isAboveBaseline(rate.count, rate, spike) && !isAboveBaseline(rate.count - 1, rate, spike);
}

function spikeVerdict(subject: string, scope: "ip" | "endpoint", rate: RateResult, timeSeconds: number): Verdict {
  const minuteStart = Math.floor(timeSeconds / 60) * 60;
  return {
    is_anomaly: true,
    reason: `Traffic spike ${subject}: ${rate.count} requests this minute (baseline ${rate.mean.toFixed(1)} ± ${rate.stddev.toFixed(1)}).`,
    rule: "traffic_spike",
    alert: {
      type: "traffic_spike",
      count: rate.count,
      windowSeconds: 60,
      firstSeen: minuteStart,
      lastSeen: timeSeconds,
      details: { scope, subject, baseline_mean: Number(rate.mean.toFixed(3)), baseline_stddev: Number(rate.stddev.toFixed(3)), baseline_minutes: rate.minutes },
    },
  };
}

/** Per-IP and per-endpoint request rate against its moving baseline. */
export const trafficSpikeRule: Rule = {
  name: "traffic_spike",
  evaluate: ({ features, observations, config }) => {
    const { ipRate, endpointRate } = observations;
    const source = sourceKey(features);
    if (source !== null && ipRate !== undefined && crossesThreshold(ipRate, config.spike)) {
      return spikeVerdict(`from ${source}`, "ip", ipRate, features.timeSeconds);
    }
    if (features.endpoint !== null && endpointRate !== undefined && crossesThreshold(endpointRate, config.spike)) {
      return spikeVerdict(`on ${features.endpoint}`, "endpoint", endpointRate, features.timeSeconds);
    }
    return null;
  },
};
