/** The time range every view shows: a preset relative to now, or fixed instants. Pure. */

export const RANGE_PRESETS = [
  { id: "1h", label: "Last hour", seconds: 3600 },
  { id: "24h", label: "Last day", seconds: 86_400 },
  { id: "7d", label: "Last week", seconds: 7 * 86_400 },
  { id: "30d", label: "Last month", seconds: 30 * 86_400 },
] as const;

export type RangePreset = (typeof RANGE_PRESETS)[number]["id"];

/** A preset follows the clock (a live view); fixed instants (epoch seconds) show the same alerts to anyone. */
export type TimeRange = { preset: RangePreset } | { from: number; to: number };

export const DEFAULT_RANGE: TimeRange = { preset: "24h" };

export const isPreset = (id: string): id is RangePreset => RANGE_PRESETS.some((preset) => preset.id === id);

/** The instants a range covers at `nowSeconds`, both inclusive. */
export function resolveRange(range: TimeRange, nowSeconds: number): { from: number; to: number } {
  if (!("preset" in range)) return range;
  const seconds = RANGE_PRESETS.find((preset) => preset.id === range.preset)?.seconds ?? 86_400;
  const to = Math.floor(nowSeconds);
  return { from: to - seconds, to };
}
