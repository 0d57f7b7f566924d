/**
 * Runs data rules over logs: the fields each line gives (fields.ts), each rule's core (evaluate.ts),
 * the counters in between. Whitelisted sources are never counted, as for the built-in rules.
 */
import type { Counters, LogMessage, Whitelist } from "@soc/shared";
import { extractFeatures, isWhitelisted } from "../detection/features.ts";
import { planOf, type Outcome, type RuleAlert, type RuleEvent, type WindowStep } from "./evaluate.ts";
import { ruleFieldsOf } from "./fields.ts";
import type { DataRule } from "./schema.ts";

export interface RuleInput {
  log: LogMessage;
  /** Unique and stable per message (topic-partition-offset), so redelivery counts once. */
  eventId: string;
}

/** Only the windows are needed; keys are prefixed `rule:<id>:` so they never mix with the built-in ones. */
export type RuleCounters = Pick<Counters, "recordFailures">;

export type RuleEngine = (inputs: RuleInput[], whitelist: Whitelist, nowSeconds: number) => Promise<RuleAlert[][]>;

const noKeywords = () => null;

async function record(counters: RuleCounters, step: WindowStep) {
  const [result] = await counters.recordFailures(
    [{ ip: step.key, timeSeconds: step.timeSeconds, eventId: step.entryId }],
    step.window,
  );
  if (result === undefined) throw new Error("counters answered no result for a window entry");
  return result;
}

/** One event through one rule: its core's steps against the counters, each answer deciding the next. */
export async function evaluateRule(
  rule: DataRule,
  event: RuleEvent,
  counters: RuleCounters,
): Promise<RuleAlert | null> {
  const plan = planOf(rule, event);
  if (plan === null) return null;
  let outcome: Outcome = plan.then(await record(counters, plan.step));
  while (outcome !== null && "next" in outcome) outcome = outcome.then(await record(counters, outcome.next));
  return outcome?.alert ?? null;
}

export function createRuleEngine(rules: readonly DataRule[], counters: RuleCounters): RuleEngine {
  // Events in order, one entry at a time: a sequence rule's next step depends on the previous answer.
  return async function evaluate(inputs, whitelist, nowSeconds) {
    const alerts: RuleAlert[][] = [];
    for (const { log, eventId } of inputs) {
      const features = extractFeatures(log, noKeywords, nowSeconds);
      const found: RuleAlert[] = [];
      alerts.push(found);
      if (isWhitelisted(features, whitelist)) continue;
      const event = { fields: ruleFieldsOf(log, features), timeSeconds: features.timeSeconds, eventId };
      for (const rule of rules) {
        const alert = await evaluateRule(rule, event, counters);
        if (alert !== null) found.push(alert);
      }
    }
    return alerts;
  };
}
