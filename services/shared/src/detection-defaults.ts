/**
 * The detection defaults, in one place: the worker falls back to them when its environment leaves a
 * setting out, and the SocPipeline CRD (and so the chart) offers them as its defaults.
 */
export const DETECTION_DEFAULTS = {
  keywords: ["error", "failed", "denied", "unauthorized", "exception", "forbidden", "critical", "attack", "malware"],
  /** Where keywords count and how much (KEYWORD_RULES, `keyword[@program|!program][:severity]`); none: everywhere, as medium. */
  // A kernel's `exception` is a CPU feature or a recovered fault ("exception support ... done",
  // "alignment exceptions"): none of BGL's labelled alerts is one.
  keywordRules: ["exception@!kernel"] as readonly string[],
  bruteForceThreshold: 5,
  bruteForceWindowSeconds: 300,
  /** Previous minutes that form the moving request-rate baseline; a day at most. */
  spikeBaselineMinutes: 60,
  spikeMinRequestsPerMinute: 30,
  spikeSigma: 3,
  /** A quiet gap this long (event time) ends an incident (docs/incidents.md). */
  incidentWindowSeconds: 3600,
  /** Longest span of one incident, and most alerts in one. */
  incidentMaxSeconds: 86_400,
  incidentMaxAlerts: 10_000,
} as const;

/** The longest spike baseline the worker keeps (minute buckets in Redis). */
export const MAX_SPIKE_BASELINE_MINUTES = 24 * 60;
