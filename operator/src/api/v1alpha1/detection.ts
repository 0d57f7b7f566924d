/** The SocPipeline's detection settings: thresholds, keywords and incidents, defaulting to the worker's own. */
import { DETECTION_DEFAULTS, MAX_SPIKE_BASELINE_MINUTES } from "@soc/shared";
import { z } from "zod";

/**
 * One KEYWORD_RULES entry as the worker's parser (services/worker/src/detection/keyword-rules.ts) takes it,
 * checked by the API server too; no comma, since the rules reach the worker comma-joined.
 */
const KEYWORD_RULE =
  /^[^@:,\s][^@:,]*(?:@!?[\w.()/ *-]{1,64}(?:\|!?[\w.()/ *-]{1,64})*)?(?::(?:info|low|medium|high|critical))?$/;
const INCIDENT_SPAN_MESSAGE = "incidentMaxSeconds must be at least incidentWindowSeconds";

export const detection = z
  .object({
    bruteForceThreshold: z
      .number()
      .int()
      .min(2)
      .max(1000)
      .default(DETECTION_DEFAULTS.bruteForceThreshold)
      .describe("Failed logins from one IP that make a brute-force alert."),
    bruteForceWindowSeconds: z.number().int().min(1).max(86400).default(DETECTION_DEFAULTS.bruteForceWindowSeconds),
    keywords: z
      .array(z.string().min(1).max(128))
      .max(256)
      .default(() => [...DETECTION_DEFAULTS.keywords]),
    keywordRules: z
      .array(
        z
          .string()
          .max(512)
          .regex(
            KEYWORD_RULE,
            "must be keyword[@program|!program][:severity], severity one of info, low, medium, high, critical",
          ),
      )
      .max(256)
      .default(() => [...DETECTION_DEFAULTS.keywordRules])
      .describe(
        "Where a keyword counts and how much a hit weighs: `failed@sshd|su:high` only in sshd's or su's lines (program or log source), as high; `exception@!kernel` anywhere but the kernel's; a keyword with no rule counts everywhere as medium (docs/incidents.md).",
      ),
    spikeBaselineMinutes: z
      .number()
      .int()
      .min(1)
      .max(MAX_SPIKE_BASELINE_MINUTES)
      .default(DETECTION_DEFAULTS.spikeBaselineMinutes)
      .describe("Previous minutes that form the moving request-rate baseline."),
    spikeMinRequestsPerMinute: z.number().int().min(1).default(DETECTION_DEFAULTS.spikeMinRequestsPerMinute),
    spikeSigma: z.number().min(0.5).max(20).default(DETECTION_DEFAULTS.spikeSigma),
    incidentWindowSeconds: z
      .number()
      .int()
      .min(1)
      .default(DETECTION_DEFAULTS.incidentWindowSeconds)
      .describe("Alerts of one rule and subject with no quiet gap (event time) longer than this are one incident."),
    incidentMaxSeconds: z
      .number()
      .int()
      .min(1)
      .default(DETECTION_DEFAULTS.incidentMaxSeconds)
      .describe("Longest span of one incident; a later alert opens a new one."),
    incidentMaxAlerts: z
      .number()
      .int()
      .min(1)
      .default(DETECTION_DEFAULTS.incidentMaxAlerts)
      .describe("Most alerts in one incident; the next opens a new one."),
  })
  .prefault({})
  .refine((d) => d.incidentMaxSeconds >= d.incidentWindowSeconds, {
    path: ["incidentMaxSeconds"],
    message: INCIDENT_SPAN_MESSAGE,
  })
  .meta({
    "x-kubernetes-validations": [
      {
        rule: "!has(self.incidentWindowSeconds) || !has(self.incidentMaxSeconds) || self.incidentMaxSeconds >= self.incidentWindowSeconds",
        message: INCIDENT_SPAN_MESSAGE,
      },
    ],
  })
  .describe("Detection thresholds, keywords and how alerts group into incidents.");
