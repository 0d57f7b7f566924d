/** Reads the loghub OpenSSH sample (testdata/loghub, with its licence) as `logs` messages with their own event times. */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { LogMessage } from "@soc/shared";

export const LOGHUB_DIR = fileURLToPath(new URL("../../../testdata/loghub/", import.meta.url));

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** Syslog has no year; the sample is from December, read as 2025 UTC like fail2ban's reference run. */
export function syslogTime(line: string, year = 2025): number {
  const [month = "", day = "", clock = ""] = line.slice(0, 15).split(/\s+/);
  const [hours = 0, minutes = 0, seconds = 0] = clock.split(":").map(Number);
  return Date.UTC(year, MONTHS.indexOf(month), Number(day), hours, minutes, seconds) / 1000;
}

export function readOpenSshSample(): LogMessage[] {
  return readFileSync(`${LOGHUB_DIR}OpenSSH_2k.log`, "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => ({ message: line, timestamp: syslogTime(line), source: "sshd" }));
}

/** fail2ban's ban counts per IP, read from the table in the sample's README. */
export function fail2banReference(): Map<string, number> {
  const readme = readFileSync(`${LOGHUB_DIR}README.md`, "utf8");
  const rows = [...readme.matchAll(/^\| (\d+\.\d+\.\d+\.\d+) \| (\d+) \|$/gm)];
  return new Map(rows.map((row) => [row[1] as string, Number(row[2])]));
}
