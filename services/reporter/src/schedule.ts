/** When the monthly report runs, pure: a day of the month and an hour, in UTC. */
export interface ReportSchedule {
  dayOfMonth: number;
  hourUtc: number;
}

export function nextRunAt(now: Date, schedule: ReportSchedule): Date {
  const thisMonth = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), schedule.dayOfMonth, schedule.hourUtc));
  if (thisMonth.getTime() > now.getTime()) return thisMonth;
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, schedule.dayOfMonth, schedule.hourUtc));
}

/** The month before `now`'s, as YYYY-MM: the one a report on the 1st covers. */
export function previousMonth(now: Date): string {
  const first = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1));
  return first.toISOString().slice(0, 7);
}
