/** The figures of a monthly report; computed by a ReportSource, drawn by pdf.ts. */
import type { CountryCount, NetworkCount } from "./origins.ts";

export interface MonthlySummary {
  month: string;
  logsProcessed: number;
  incidents: number;
  byRule: Record<string, number>;
  topIps: { ip: string; count: number }[];
  /** Incidents per country and per AS of the source address, most first; empty when enrichment is off. */
  topCountries: CountryCount[];
  topNetworks: NetworkCount[];
  /** One entry per day of the month, oldest first, zero-filled. */
  daily: { day: string; count: number }[];
  byStatus: Record<string, number>;
  /** From event time to the status change, for incidents resolved or dismissed. */
  timeToResolve: { count: number; averageSeconds: number | null; medianSeconds: number | null };
}

export interface ReportSource {
  monthlySummary(month: Month): Promise<MonthlySummary>;
}

export interface Month {
  label: string;
  /** Epoch seconds, inclusive start and exclusive end, UTC. */
  start: number;
  end: number;
}

/** "2026-10" → its UTC bounds; null for anything else (13th months, "2026-1", "latest"). */
export function parseMonth(text: string): Month | null {
  const match = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(text);
  if (match === null) return null;
  const year = Number(match[1]);
  const month = Number(match[2]);
  return { label: text, start: Date.UTC(year, month - 1, 1) / 1000, end: Date.UTC(year, month, 1) / 1000 };
}

export function daysOf(month: Month): string[] {
  const days: string[] = [];
  for (let t = month.start; t < month.end; t += 86_400) days.push(new Date(t * 1000).toISOString().slice(0, 10));
  return days;
}
