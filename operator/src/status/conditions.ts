/** Status conditions as the API conventions keep them, shared by SocPipeline and IpWhitelist status. Pure: the clock comes in. */
import type { Condition } from "../api/v1alpha1/index.ts";
import { kubeTime } from "../kube/time.ts";

/** A condition as a status function decides it; generation and transition time are added on merge. */
export type ConditionInput = Pick<Condition, "type" | "status" | "reason" | "message">;

/** Keeps lastTransitionTime when a condition's status did not change. */
export function mergeConditions(
  previous: Condition[] | undefined,
  wanted: ConditionInput[],
  generation: number,
  now: Date,
): Condition[] {
  return wanted.map((condition) => {
    const before = previous?.find((p) => p.type === condition.type);
    const lastTransitionTime =
      before !== undefined && before.status === condition.status ? before.lastTransitionTime : kubeTime(now);
    return { ...condition, observedGeneration: generation, lastTransitionTime };
  });
}
