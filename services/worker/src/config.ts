/** Worker configuration from the environment, validated at start-up. */
import { z } from "zod";
import type { IncidentPolicy } from "@soc/shared";
import {
  booleanFlag,
  checkElasticsearchEnv,
  checkRedisEnv,
  commaList,
  DETECTION_DEFAULTS,
  MAX_SPIKE_BASELINE_MINUTES,
  elasticsearchEnvShape,
  logLevel,
  parseConfig,
  port,
  positiveInt,
  redisEnvShape,
  topicEnvShape,
  whitelistSetting,
  workerGroupEnvShape,
} from "@soc/shared";
import { checkKafkaEnv, kafkaEnvShape } from "@soc/shared/kafka";
import { tracingEnvShape } from "@soc/shared/telemetry";
import { DEFAULT_KEYWORDS, PATTERN_DEFAULTS, type DetectionConfig } from "./detection/config.ts";
import { keywordRulesSetting } from "./detection/keyword-rules.ts";
import type { EnrichmentSettings } from "./enrichment/databases.ts";
import { DEFAULT_ENRICHMENT_CACHE_SIZE } from "./enrichment/enricher.ts";

export const workerEnvSchema = z
  .object({
    ...kafkaEnvShape,
    ...elasticsearchEnvShape,
    ...redisEnvShape,
    // Starts every counter key, so pipelines sharing a Redis keep their windows apart (the operator sets soc:<namespace>/<pipeline>:).
    REDIS_KEY_PREFIX: z.string().min(1).max(256).default("soc:"),
    ANOMALY_KEYWORDS: commaList.default(DEFAULT_KEYWORDS),
    /** Where keywords count and how much: `failed@sshd|su:high,exception@!kernel,error:low` (docs/incidents.md). */
    KEYWORD_RULES: keywordRulesSetting,
    /** `192.168.1.1,10.0.0.1` in the original contract is an example, not a default: nothing is silenced unless asked. */
    WHITELISTED_IPS: whitelistSetting,
    BRUTE_FORCE_THRESHOLD: positiveInt.default(DETECTION_DEFAULTS.bruteForceThreshold),
    BRUTE_FORCE_WINDOW_SECONDS: positiveInt.default(DETECTION_DEFAULTS.bruteForceWindowSeconds),
    SPIKE_BASELINE_MINUTES: positiveInt
      .max(MAX_SPIKE_BASELINE_MINUTES)
      .default(DETECTION_DEFAULTS.spikeBaselineMinutes),
    SPIKE_MIN_REQUESTS_PER_MINUTE: positiveInt.default(DETECTION_DEFAULTS.spikeMinRequestsPerMinute),
    SPIKE_SIGMA: z.coerce.number().positive().default(DETECTION_DEFAULTS.spikeSigma),
    PATTERN_WARMUP_LINES: z.coerce.number().int().nonnegative().default(PATTERN_DEFAULTS.warmupLines),
    PATTERN_WARMUP_MINUTES: z.coerce.number().nonnegative().default(PATTERN_DEFAULTS.warmupMinutes),
    PATTERN_RATE_MIN_PER_MINUTE: positiveInt.default(PATTERN_DEFAULTS.rateMinPerMinute),
    PATTERN_FAMILIAR_AFTER_LINES: positiveInt.default(PATTERN_DEFAULTS.familiarAfterLines),
    /** Alerts of one rule and subject with no quiet gap longer than this are one incident (docs/incidents.md). */
    INCIDENT_WINDOW_SECONDS: positiveInt.default(DETECTION_DEFAULTS.incidentWindowSeconds),
    INCIDENT_MAX_SECONDS: positiveInt.default(DETECTION_DEFAULTS.incidentMaxSeconds),
    INCIDENT_MAX_ALERTS: positiveInt.default(DETECTION_DEFAULTS.incidentMaxAlerts),
    /** Country and network of each source address (docs/enrichment.md); `false` skips loading the databases. */
    GEOIP_ENRICHMENT: booleanFlag.default(true),
    /** The user's own GeoLite2/GeoIP2 Country or City `.mmdb`, instead of the bundled country database. */
    GEOIP_COUNTRY_DB: z.string().trim().min(1).optional(),
    /** The user's own GeoLite2/GeoIP2 ASN `.mmdb`, instead of the bundled ASN ranges. */
    GEOIP_ASN_DB: z.string().trim().min(1).optional(),
    GEOIP_CACHE_SIZE: positiveInt.default(DEFAULT_ENRICHMENT_CACHE_SIZE),
    WORKER_METRICS_PORT: port.default(9464),
    ...workerGroupEnvShape,
    ...tracingEnvShape,
    LOG_LEVEL: logLevel,
    ...topicEnvShape,
  })
  .refine((env) => env.BRUTE_FORCE_THRESHOLD >= 2, {
    path: ["BRUTE_FORCE_THRESHOLD"],
    message: "must be at least 2, or every failed login is an attack",
  })
  .refine((env) => env.INCIDENT_MAX_SECONDS >= env.INCIDENT_WINDOW_SECONDS, {
    path: ["INCIDENT_MAX_SECONDS"],
    message: "must be at least INCIDENT_WINDOW_SECONDS",
  })
  .superRefine(checkElasticsearchEnv)
  .superRefine(checkRedisEnv)
  .superRefine(checkKafkaEnv);
export type WorkerEnv = z.output<typeof workerEnvSchema>;

export function parseWorkerEnv(env: Record<string, string | undefined>): WorkerEnv {
  return parseConfig(workerEnvSchema, env);
}

export function detectionConfigOf(env: WorkerEnv): DetectionConfig {
  return {
    keywords: env.ANOMALY_KEYWORDS,
    keywordRules: env.KEYWORD_RULES,
    bruteForce: { threshold: env.BRUTE_FORCE_THRESHOLD, windowSeconds: env.BRUTE_FORCE_WINDOW_SECONDS },
    spike: {
      baselineMinutes: env.SPIKE_BASELINE_MINUTES,
      minRequestsPerMinute: env.SPIKE_MIN_REQUESTS_PER_MINUTE,
      sigma: env.SPIKE_SIGMA,
    },
    patterns: {
      warmupLines: env.PATTERN_WARMUP_LINES,
      warmupMinutes: env.PATTERN_WARMUP_MINUTES,
      rateMinPerMinute: env.PATTERN_RATE_MIN_PER_MINUTE,
      familiarAfterLines: env.PATTERN_FAMILIAR_AFTER_LINES,
    },
  };
}

export function incidentPolicyOf(env: WorkerEnv): IncidentPolicy {
  return {
    windowSeconds: env.INCIDENT_WINDOW_SECONDS,
    maxSeconds: env.INCIDENT_MAX_SECONDS,
    maxAlerts: env.INCIDENT_MAX_ALERTS,
  };
}

/** Where the location databases are, or null when enrichment is off. */
export function enrichmentSettingsOf(env: WorkerEnv): EnrichmentSettings | null {
  if (!env.GEOIP_ENRICHMENT) return null;
  return { countryDatabase: env.GEOIP_COUNTRY_DB, asnDatabase: env.GEOIP_ASN_DB, cacheSize: env.GEOIP_CACHE_SIZE };
}
