/** Which month a run reports on, pure: the month before its scheduled run, however late it starts. */
export interface ReportSchedule {
  dayOfMonth: number;
  hourUtc: number;
}

/** The latest scheduled run at or before `now`. */
export function latestRunAt(now: Date, schedule: ReportSchedule): Date {
  const thisMonth = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), schedule.dayOfMonth, schedule.hourUtc));
  if (thisMonth.getTime() <= now.getTime()) return thisMonth;
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, schedule.dayOfMonth, schedule.hourUtc));
}

/**
 * The month due at `now`, as YYYY-MM: the one before the latest scheduled run, so a Job that starts
 * late (a retry, a cluster that was down at that hour) past the end of the month still reports the
 * month its schedule meant, not the one that just ended (which its own run will report).
 */
export function dueMonth(now: Date, schedule: ReportSchedule): string {
  const run = latestRunAt(now, schedule);
  return new Date(Date.UTC(run.getUTCFullYear(), run.getUTCMonth() - 1, 1)).toISOString().slice(0, 7);
}
