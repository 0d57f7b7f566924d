import type { RateResult } from "@soc/shared";
import { crossesThreshold, describeBaseline, type BaselineThreshold } from "../baseline.ts";
import type { DetectionConfig } from "../config.ts";
import { sourceKey } from "../features.ts";
import type { Rule, Verdict } from "./rule.ts";

const thresholdOf = (spike: DetectionConfig["spike"]): BaselineThreshold => ({
  minPerMinute: spike.minRequestsPerMinute,
  sigma: spike.sigma,
});

function spikeVerdict(subject: string, scope: "ip" | "endpoint", rate: RateResult, timeSeconds: number): Verdict {
  const minuteStart = Math.floor(timeSeconds / 60) * 60;
  return {
    is_anomaly: true,
    reason: `Traffic spike ${subject}: ${rate.count} requests this minute (${describeBaseline(rate)}).`,
    severity: "high",
    rule: "traffic_spike",
    alert: {
      type: "traffic_spike",
      count: rate.count,
      windowSeconds: 60,
      firstSeen: minuteStart,
      lastSeen: timeSeconds,
      details: {
        scope,
        subject,
        baseline_mean: Number(rate.mean.toFixed(3)),
        baseline_stddev: Number(rate.stddev.toFixed(3)),
        baseline_minutes: rate.minutes,
      },
    },
  };
}

/** Per-IP and per-endpoint request rate against its moving baseline. */
export const trafficSpikeRule: Rule = {
  name: "traffic_spike",
  evaluate: ({ features, observations, config }) => {
    const { ipRate, endpointRate } = observations;
    const source = sourceKey(features);
    if (source !== null && ipRate !== undefined && crossesThreshold(ipRate, thresholdOf(config.spike))) {
      return spikeVerdict(`from ${source}`, "ip", ipRate, features.timeSeconds);
    }
    if (
      features.endpoint !== null &&
      endpointRate !== undefined &&
      crossesThreshold(endpointRate, thresholdOf(config.spike))
    ) {
      return spikeVerdict(`on ${features.endpoint}`, "endpoint", endpointRate, features.timeSeconds);
    }
    return null;
  },
};
