/**
 * Runs the detection core over a batch: features (pure) → templates (mined, then one catalogue
 * round trip per source) → shared counters (one round trip per kind, in parallel) → rules (pure).
 * Whitelisted addresses never touch the counters.
 */
import type { Counters, FailureEvent, LogMessage, RequestEvent, TemplateVerdicts, Whitelist } from "@soc/shared";
import { patternSettingsOf, type DetectionConfig } from "./detection/config.ts";
import { decide } from "./detection/decide.ts";
import { extractFeatures, isWhitelisted, sourceKey, type LogFeatures } from "./detection/features.ts";
import { keywordMatcher } from "./detection/keywords.ts";
import { applyTriage } from "./detection/triage.ts";
import type { Observations, Verdict } from "./detection/rules/rule.ts";
import type { PatternAssigner } from "./patterns/assigner.ts";
import type { PatternObservation } from "./patterns/novelty.ts";

export interface AnalysisInput {
  log: LogMessage;
  /** Unique and stable per message (topic-partition-offset), so redelivery counts once. */
  eventId: string;
}

export interface Analysis {
  features: LogFeatures;
  verdict: Verdict;
  /** The line's template; null when mining is off. */
  pattern: PatternObservation | null;
}

/** `templates`: analysts' verdicts on log templates, which adjust the severity of their later alerts. */
export type Analyzer = (
  inputs: AnalysisInput[],
  whitelist: Whitelist,
  nowSeconds: number,
  templates?: TemplateVerdicts,
) => Promise<Analysis[]>;

/** `patterns` mines each line's template for the learned rules; without it they never fire. */
export function createAnalyzer(config: DetectionConfig, counters: Counters, patterns?: PatternAssigner): Analyzer {
  const matchKeyword = keywordMatcher(config.keywords, config.keywordRules);
  const failureWindow = { windowSeconds: config.bruteForce.windowSeconds, threshold: config.bruteForce.threshold };
  const { warmupLines, warmupMinutes } = patternSettingsOf(config);
  const warmup = { lines: warmupLines, minutes: warmupMinutes };

  return async function analyze(inputs, whitelist, nowSeconds, templates) {
    const features = inputs.map((input) => extractFeatures(input.log, matchKeyword, nowSeconds));
    const mined =
      patterns === undefined
        ? []
        : await patterns(
            inputs.map(({ log, eventId }, i) => ({
              message: log.message,
              source: log.source,
              timeSeconds: (features[i] as LogFeatures).timeSeconds,
              logId: eventId,
            })),
            warmup,
          );
    const observations: Observations[] = features.map((_, i) => (mined[i] === undefined ? {} : { pattern: mined[i] }));
    const failures: { index: number; event: FailureEvent }[] = [];
    const requests: { index: number; scope: "ipRate" | "endpointRate" | "patternRate"; event: RequestEvent }[] = [];
    features.forEach((f, index) => {
      if (isWhitelisted(f, whitelist)) return;
      const source = sourceKey(f);
      if (source !== null && f.failedLogin !== null)
        failures.push({
          index,
          event: { ip: source, timeSeconds: f.timeSeconds, eventId: (inputs[index] as AnalysisInput).eventId },
        });
      if (source !== null)
        requests.push({ index, scope: "ipRate", event: { key: `ip:${source}`, timeSeconds: f.timeSeconds } });
      if (f.endpoint !== null)
        requests.push({
          index,
          scope: "endpointRate",
          event: { key: `endpoint:${f.endpoint}`, timeSeconds: f.timeSeconds },
        });
      // From a template's second line on: a first line is no burst, and random text (each line a
      // new template) then mints no rate keys.
      const pattern = mined[index];
      if (pattern !== undefined && pattern.seenBefore > 0)
        requests.push({
          index,
          scope: "patternRate",
          event: { key: `pattern:${pattern.source}:${pattern.id}`, timeSeconds: f.timeSeconds },
        });
    });
    const [failureResults, rateResults] = await Promise.all([
      counters.recordFailures(
        failures.map((f) => f.event),
        failureWindow,
      ),
      counters.recordRequests(
        requests.map((r) => r.event),
        config.spike.baselineMinutes,
      ),
    ]);
    failures.forEach(({ index }, i) => ((observations[index] as Observations).failure = failureResults[i]));
    requests.forEach(({ index, scope }, i) => ((observations[index] as Observations)[scope] = rateResults[i]));
    return features.map((f, index) => {
      const pattern = mined[index];
      const verdict = decide({ features: f, observations: observations[index] as Observations, whitelist, config });
      return {
        features: f,
        verdict: applyTriage(verdict, pattern === undefined ? undefined : templates?.of(pattern.source, pattern.id)),
        pattern: pattern ?? null,
      };
    });
  };
}
