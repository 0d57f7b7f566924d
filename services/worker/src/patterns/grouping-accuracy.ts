/**
 * Grouping accuracy (Zhu et al., "Tools and Benchmarks for Automated Log Parsing", ICSE-SEIP 2019):
 * a line counts as parsed right when the set of lines its parser grouped it with equals the set of
 * lines sharing its true event. All or nothing per group, so one stray line spoils a whole group.
 */
export function groupingAccuracy(predicted: readonly string[], truth: readonly string[]): number {
  if (predicted.length !== truth.length)
    throw new RangeError(`${predicted.length} predictions for ${truth.length} lines`);
  if (truth.length === 0) return 1;
  const predictedSizes = new Map<string, number>();
  for (const id of predicted) predictedSizes.set(id, (predictedSizes.get(id) ?? 0) + 1);
  const truthGroups = new Map<string, { predicted: string; size: number; pure: boolean }>();
  predicted.forEach((id, i) => {
    const event = truth[i] as string;
    const group = truthGroups.get(event);
    if (group === undefined) truthGroups.set(event, { predicted: id, size: 1, pure: true });
    else {
      group.size++;
      group.pure &&= group.predicted === id;
    }
  });
  let correct = 0;
  for (const group of truthGroups.values())
    if (group.pure && predictedSizes.get(group.predicted) === group.size) correct += group.size;
  return correct / truth.length;
}
