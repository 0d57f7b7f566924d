/**
 * Alerts and incidents per 1,000 lines on the twelve loghub samples: each sample through the
 * detection core as the worker runs it (features, counters, template mining, rules, in batches of
 * 100), its anomalies placed in incidents by the incident core with the default policy. "Alerts"
 * are anomalies (documents an analyst triages), "high" the high-priority alerts (notifications
 * before incidents), "notices" the incidents those belong to (notifications now: one each, plus
 * updates). Three runs: before (every keyword everywhere), now (the stock KEYWORD_RULES) and a
 * scoped example (the argument). BGL and Thunderbird label their alert lines: how many of those
 * still raise an alert shows what scoping costs.
 * Usage: npx tsx bench/incidents.ts ['<KEYWORD_RULES>']
 */
import { readFileSync } from "node:fs";
import {
  DETECTION_DEFAULTS,
  DEFAULT_INCIDENT_POLICY,
  UNNAMED_SOURCE,
  Whitelist,
  type IncidentAlert,
  type LogMessage,
} from "@soc/shared";
import { createMemoryCounters, createMemoryIncidentTracker, createMemoryPatternCatalogue } from "@soc/shared/memory";
import {
  createAnalyzer,
  createMemoryTemplateStore,
  createPatternAssigner,
  DEFAULT_KEYWORDS,
  parseWorkerEnv,
  type DetectionConfig,
} from "@soc/worker";
import { readOpenSshSample } from "../services/worker/src/loghub.ts";
import { LOGHUB_SETS, loghubDir, parseCsv } from "../services/worker/src/patterns/loghub-structured.ts";

const SCOPED_RULES =
  process.argv[2] ?? "exception@!kernel,critical@!kernel,failed@!cbs|!org.apache.hadoop.hdfs.leaserenewer|!gmetad";
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const utc = (y: number, mo: number, d: number, h: number, mi: number, s: number): number =>
  Date.UTC(y, mo - 1, d, h, mi, s) / 1000;
const n = (text: string | undefined): number => Number(text ?? 0);

type Row = Record<string, string>;
const hms = (text: string | undefined): number[] => (text ?? "").split(/[:.,]/).map(Number);
const ymdAt = (y: number, mo: number, d: number, clock: number[]): number =>
  utc(y, mo, d, clock[0] ?? 0, clock[1] ?? 0, clock[2] ?? 0);
const dashed = (text: string | undefined): number[] => (text ?? "").split("-").map(Number);

/** Each sample's event time, from the columns it has (seconds; the year, where a set has none, is arbitrary). */
const TIME_OF: Record<string, (row: Row) => number> = {
  BGL: (row) => n(row.Timestamp),
  Thunderbird: (row) => n(row.Timestamp),
  HPC: (row) => n(row.Time),
  Android: (row) => {
    const [mo = 1, d = 1] = dashed(row.Date);
    return ymdAt(2017, mo, d, hms(row.Time));
  },
  Apache: (row) => {
    const [, mon = "Jan", d = "1", clock = "", y = "2005"] = (row.Time ?? "").split(/\s+/);
    return ymdAt(Number(y), MONTHS.indexOf(mon) + 1, Number(d), hms(clock));
  },
  HealthApp: (row) => {
    const [date = "", ...clock] = (row.Time ?? "").split(/[-:]/);
    return ymdAt(Number(date.slice(0, 4)), Number(date.slice(4, 6)), Number(date.slice(6, 8)), clock.map(Number));
  },
  Proxifier: (row) => {
    const [md = "", clock = ""] = (row.Time ?? "").split(" ");
    const [mo = 1, d = 1] = md.split(".").map(Number);
    return ymdAt(2016, mo, d, hms(clock));
  },
  Spark: (row) => {
    const [y = 0, mo = 1, d = 1] = (row.Date ?? "").split("/").map(Number);
    return ymdAt(2000 + y, mo, d, hms(row.Time));
  },
};
/** Hadoop, OpenStack, Windows: `YYYY-MM-DD` and a clock. */
const isoDateTime = (row: Row): number => {
  const [y = 1970, mo = 1, d = 1] = dashed(row.Date);
  return ymdAt(y, mo, d, hms(row.Time));
};
const timeOf = (set: string, row: Row): number => (TIME_OF[set] ?? isoDateTime)(row);

interface Sample {
  logs: LogMessage[];
  /** Lines loghub labels as alerts (BGL, Thunderbird: a Label other than "-"); empty where a set has no labels. */
  labelled: Set<number>;
}

/** A structured sample's lines as logs: the content, its event time, its component (program) as the log source. */
function readSample(set: string): Sample {
  if (set === "OpenSSH") return { logs: readOpenSshSample(), labelled: new Set() };
  const [header = [], ...cells] = parseCsv(readFileSync(`${loghubDir()}/${set}_2k.log_structured.csv`, "utf8"));
  const rows = cells
    .map((row) => Object.fromEntries(header.map((name, i) => [name, row[i] ?? ""])))
    .filter((row) => (row.Content ?? "") !== "");
  return {
    logs: rows.map((row) => ({
      message: row.Content ?? "",
      timestamp: timeOf(set, row),
      source: row.Component || row.Program || set.toLowerCase(),
    })),
    labelled: new Set(rows.flatMap((row, i) => (row.Label !== undefined && row.Label !== "-" ? [i] : []))),
  };
}

interface Counts {
  alerts: number;
  incidents: number;
  high: number;
  notices: number;
  /** Labelled lines that raised an alert. */
  caught: number;
}

async function replay({ logs, labelled }: Sample, detection: DetectionConfig): Promise<Counts> {
  const analyze = createAnalyzer(
    detection,
    createMemoryCounters(),
    createPatternAssigner({ store: createMemoryTemplateStore(), catalogue: createMemoryPatternCatalogue() }),
  );
  const tracker = createMemoryIncidentTracker(DEFAULT_INCIDENT_POLICY);
  const incidents = new Set<string>();
  const notified = new Set<string>();
  let alerts = 0;
  let high = 0;
  let caught = 0;
  for (let start = 0; start < logs.length; start += 100) {
    const batch = logs.slice(start, start + 100).map((log, i) => ({ log, eventId: `logs-0-${start + i}` }));
    const analyses = await analyze(batch, new Whitelist(), 0);
    const anomalies = analyses.flatMap((a, i): { alert: IncidentAlert; high: boolean }[] =>
      !a.verdict.is_anomaly || a.verdict.rule === null
        ? []
        : [
            {
              high: a.verdict.alert !== null,
              alert: {
                alertId: `logs-0-${start + i}`,
                rule: a.verdict.rule,
                subject: a.features.ip ?? a.features.host ?? batch[i]?.log.source ?? UNNAMED_SOURCE,
                timeSeconds: a.features.timeSeconds,
                severity: a.verdict.severity ?? "medium",
                events: a.verdict.alert?.count ?? 1,
                reason: a.verdict.reason ?? "",
                source: batch[i]?.log.source ?? null,
                sourceIp: a.features.ip,
                position: { stream: "logs-0", offset: start + i },
              },
            },
          ],
    );
    const placed = await tracker.place(anomalies.map((a) => a.alert));
    placed.forEach((p, i) => {
      incidents.add(p.incident.id);
      if (anomalies[i]?.high === true) notified.add(p.incident.id);
    });
    alerts += anomalies.length;
    caught += analyses.filter((a, i) => a.verdict.is_anomaly && labelled.has(start + i)).length;
    high += anomalies.filter((a) => a.high).length;
  }
  return { alerts, incidents: incidents.size, high, notices: notified.size, caught };
}

const perThousand = (count: number, lines: number): number => Math.round((count * 10_000) / lines) / 10;
const today: DetectionConfig = {
  keywords: DEFAULT_KEYWORDS,
  bruteForce: { threshold: 5, windowSeconds: 300 },
  spike: { baselineMinutes: 60, minRequestsPerMinute: 30, sigma: 3 },
};
const stock: DetectionConfig = { ...today, keywordRules: parseWorkerEnv({}).KEYWORD_RULES };
const scoped: DetectionConfig = {
  ...today,
  keywordRules: parseWorkerEnv({ KEYWORD_RULES: SCOPED_RULES }).KEYWORD_RULES,
};

const empty = (): Counts => ({ alerts: 0, incidents: 0, high: 0, notices: 0, caught: 0 });
const totals = { lines: 0, labelled: 0, runs: [empty(), empty(), empty()] };
const rows: string[] = [];
const rate = (count: number, lines: number): string => `${count} (${perThousand(count, lines)})`;
const row = (name: string, lines: number, labelled: number, [before, after, example]: Counts[]): string => {
  const [b, a, e] = [before ?? empty(), after ?? empty(), example ?? empty()];
  const caught = labelled === 0 ? "" : `${b.caught}/${a.caught}/${e.caught} of ${labelled}`;
  return [
    name,
    lines,
    rate(b.alerts, lines),
    rate(a.alerts, lines),
    rate(a.incidents, lines),
    `${a.high} → ${a.notices}`,
    rate(e.alerts, lines),
    rate(e.incidents, lines),
    caught,
  ].join(" | ");
};
for (const set of LOGHUB_SETS) {
  const sample = readSample(set);
  const runs = [await replay(sample, today), await replay(sample, stock), await replay(sample, scoped)];
  const lines = sample.logs.length;
  totals.lines += lines;
  totals.labelled += sample.labelled.size;
  runs.forEach((run, i) => {
    const total = totals.runs[i] as Counts;
    for (const key of ["alerts", "incidents", "high", "notices", "caught"] as const) total[key] += run[key];
  });
  rows.push(`| ${row(set, lines, sample.labelled.size, runs)} |`);
}
console.log(
  `Stock KEYWORD_RULES: \`${DETECTION_DEFAULTS.keywordRules.join(",")}\`; scoped example: \`${SCOPED_RULES}\`\n`,
);
console.log(
  "| sample | lines | before: alerts (/1k) | now: alerts (/1k) | now: incidents (/1k) | high-priority alerts → incidents notified | scoped example: alerts (/1k) | scoped example: incidents (/1k) | labelled lines alerted (before/now/example) |",
);
console.log("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
for (const line of rows) console.log(line);
console.log(`| ${row("**all twelve**", totals.lines, totals.labelled, totals.runs)} |`);
