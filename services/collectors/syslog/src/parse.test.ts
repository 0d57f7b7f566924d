import { describe, expect, it } from "vitest";
import { parseSyslog, type ParseResult } from "./parse.ts";
import { FUTURE_SKEW_MS, inferYearlessTime, parseRfc3339 } from "./time.ts";

// 2025-03-15T12:00:00Z
const NOW = Date.UTC(2025, 2, 15, 12, 0, 0);
const parse = (text: string, timeZone = "UTC", nowMs = NOW): ParseResult => parseSyslog(text, { timeZone, nowMs });
const ok = (result: ParseResult) => {
  if (!result.ok) throw new Error(`refused: ${result.reason}`);
  return result.message;
};
const seconds = (iso: string): number => Date.parse(iso) / 1000;

describe("RFC 5424", () => {
  it("reads the RFC's examples: header, nil fields, BOM, structured data", () => {
    expect(
      ok(
        parse(
          "<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - \uFEFF'su root' failed for lonvick on /dev/pts/8",
        ),
      ),
    ).toEqual({
      format: "rfc5424",
      facility: 4,
      severity: 2,
      version: 1,
      timestamp: seconds("2003-10-11T22:14:15.003Z"),
      hostname: "mymachine.example.com",
      appName: "su",
      msgId: "ID47",
      text: "'su root' failed for lonvick on /dev/pts/8",
    });
    const withSd = ok(
      parse(
        '<165>1 2003-10-11T22:14:15.003000-07:00 mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut="3" eventSource="Application" eventID="1011"][examplePriority@32473 class="high"] An application event log entry...',
      ),
    );
    expect(withSd.timestamp).toBeCloseTo(seconds("2003-10-12T05:14:15.003Z"), 6);
    expect(withSd.structuredData).toEqual({
      "exampleSDID@32473": { iut: "3", eventSource: "Application", eventID: "1011" },
      "examplePriority@32473": { class: "high" },
    });
    expect(withSd.text).toBe("An application event log entry...");
    expect(
      ok(parse('<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut="3"]')),
    ).toMatchObject({ text: "", structuredData: { "exampleSDID@32473": { iut: "3" } } });
  });

  it("reads a nil timestamp as absent, a numeric PROCID, microseconds and escapes in SD values", () => {
    const message = ok(parse('<86>1 - web01 sshd 2431 - [meta@1 path="C:\\\\x \\"q\\" a\\]b"] Accepted publickey'));
    expect(message.timestamp).toBeUndefined();
    expect(message).toMatchObject({ hostname: "web01", appName: "sshd", procId: "2431", facility: 10, severity: 6 });
    expect(message.structuredData).toEqual({ "meta@1": { path: 'C:\\x "q" a]b' } });
    expect(ok(parse("<13>1 2025-03-15T13:00:00.123456+01:00 h a - - - m")).timestamp).toBeCloseTo(
      seconds("2025-03-15T12:00:00Z") + 0.123456,
      6,
    );
  });

  it("refuses a malformed header with the reason", () => {
    expect(parse("<13>1 yesterday host app - - - text")).toEqual({
      ok: false,
      reason: "RFC 5424 TIMESTAMP is not an RFC 3339 time with a zone",
    });
    expect(parse("<13>1 2025-03-15T12:00:00 host app - - - text")).toMatchObject({
      ok: false,
      reason: expect.stringContaining("TIMESTAMP"),
    });
    expect(parse(`<13>1 - host ${"a".repeat(49)} - - - text`)).toMatchObject({
      ok: false,
      reason: expect.stringContaining("APP-NAME"),
    });
    expect(parse('<13>1 - host app - - [unclosed a="1"')).toMatchObject({
      ok: false,
      reason: expect.stringContaining("not closed"),
    });
    expect(parse('<13>1 - host app - - [id a="1" text')).toMatchObject({
      ok: false,
      reason: 'RFC 5424 SD-PARAM in [id] is not name="value"',
    });
    expect(parse("<13>1 - host app")).toMatchObject({ ok: false, reason: expect.stringContaining("ends early") });
    expect(parse("<13>1 2025-02-30T00:00:00Z host app - - - x")).toMatchObject({ ok: false });
  });
});

describe("RFC 3164", () => {
  it("reads an auth.log line: host, program, pid, message; the year is this one", () => {
    expect(ok(parse("<38>Mar 10 06:55:46 LabSZ sshd[24200]: Invalid user webmaster from 173.234.31.186"))).toEqual({
      format: "rfc3164",
      facility: 4,
      severity: 6,
      timestamp: seconds("2025-03-10T06:55:46Z"),
      hostname: "LabSZ",
      appName: "sshd",
      procId: "24200",
      text: "Invalid user webmaster from 173.234.31.186",
    });
  });

  it("infers last year for a date after now, and reads the zone it is told", () => {
    expect(ok(parse("<13>Dec 31 23:59:59 h cron: x")).timestamp).toBe(seconds("2024-12-31T23:59:59Z"));
    expect(ok(parse("<13>Mar  5 08:00:00 h cron: x", "Europe/Berlin")).timestamp).toBe(seconds("2025-03-05T07:00:00Z"));
    expect(ok(parse("<13>Jul  5 08:00:00 h cron: x", "Europe/Berlin", Date.UTC(2025, 7, 1))).timestamp).toBe(
      seconds("2025-07-05T06:00:00Z"),
    );
    expect(ok(parse("<13>Mar 10 06:55:46.250 h cron: x")).timestamp).toBe(seconds("2025-03-10T06:55:46.250Z"));
  });

  it("takes a time up to the skew ahead of the clock as this year's (a sender in another zone)", () => {
    expect(ok(parse("<13>Mar 16 06:00:00 h cron: x")).timestamp).toBe(seconds("2025-03-16T06:00:00Z"));
    expect(ok(parse("<13>Mar 17 06:00:00 h cron: x")).timestamp).toBe(seconds("2024-03-17T06:00:00Z"));
  });

  it("reads the local-socket form without HOSTNAME, an IPv6 host, a tag without pid, and rsyslog's RFC 3339 time", () => {
    expect(ok(parse("<13>Mar 10 06:55:46 sshd[7]: Accepted"))).toMatchObject({
      appName: "sshd",
      procId: "7",
      text: "Accepted",
    });
    expect(ok(parse("<13>Mar 10 06:55:46 sshd[7]: Accepted")).hostname).toBeUndefined();
    expect(ok(parse("<13>Mar 10 06:55:46 2001:db8::1 sshd[7]: Accepted"))).toMatchObject({
      hostname: "2001:db8::1",
      appName: "sshd",
    });
    expect(ok(parse("<13>Mar 10 06:55:46 host kernel: [ 1.0] eth0 up"))).toMatchObject({
      hostname: "host",
      appName: "kernel",
      text: "[ 1.0] eth0 up",
    });
    expect(ok(parse("<86>2025-03-10T06:55:46.123+00:00 web01 sshd[9]: Failed password"))).toMatchObject({
      timestamp: seconds("2025-03-10T06:55:46.123Z"),
      hostname: "web01",
      appName: "sshd",
      procId: "9",
    });
  });

  it("keeps a message without TIMESTAMP whole, as RFC 3164 says, and one without a tag as text", () => {
    expect(ok(parse("<13>plain text from a device"))).toEqual({
      format: "rfc3164",
      facility: 1,
      severity: 5,
      text: "plain text from a device",
    });
    expect(ok(parse("<13>Mar 10 06:55:46 host a message with no tag"))).toMatchObject({
      hostname: "host",
      text: "a message with no tag",
    });
    expect(ok(parse("<0>Mar 10 06:55:46 host x: y\r\n"))).toMatchObject({ text: "y", facility: 0, severity: 0 });
  });

  it("refuses a date that does not exist, and text without PRI", () => {
    expect(parse("<13>Feb 30 06:55:46 host x: y")).toEqual({
      ok: false,
      reason: "RFC 3164 TIMESTAMP names no real date",
    });
    expect(parse("Mar 10 06:55:46 host sshd[1]: no PRI")).toEqual({
      ok: false,
      reason: "no <PRI> header (0-191): not a syslog message",
    });
    for (const pri of ["<192>", "<013>", "<>", "<1a>", "<1234>"])
      expect(parse(`${pri}Mar 10 06:55:46 h x: y`).ok).toBe(false);
    expect(parse("")).toEqual({ ok: false, reason: "empty message" });
    expect(parse("\n\r\0")).toEqual({ ok: false, reason: "empty message" });
  });

  it("gives Feb 29 to the last leap year", () => {
    expect(ok(parse("<13>Feb 29 10:00:00 h x: y")).timestamp).toBe(seconds("2024-02-29T10:00:00Z"));
  });
});

describe("timestamps", () => {
  it("reads RFC 3339 with zones, up to nanoseconds, and refuses what is not one", () => {
    expect(parseRfc3339("1985-04-12T23:20:50.52Z")).toBeCloseTo(482196050.52, 6);
    expect(parseRfc3339("1985-04-12T19:20:50.000000001-04:00")).toBeCloseTo(482196050, 6);
    for (const bad of [
      "1985-04-12 23:20:50Z",
      "1985-13-12T23:20:50Z",
      "1985-04-12T24:20:50Z",
      "1985-04-12T23:20:50+25:00",
      "1969-12-31T23:59:59Z",
    ])
      expect(parseRfc3339(bad)).toBeNull();
  });

  it("never infers a time more than the skew after now, in any zone", () => {
    for (const timeZone of ["UTC", "Pacific/Kiritimati", "Pacific/Pago_Pago", "America/New_York"]) {
      for (let month = 1; month <= 12; month++) {
        const time = inferYearlessTime(
          { month, day: 28, hour: 23, minute: 59, second: 59, fraction: 0 },
          timeZone,
          NOW,
        );
        expect(time).not.toBeNull();
        expect((time ?? 0) * 1000).toBeLessThanOrEqual(NOW + FUTURE_SKEW_MS);
        expect((time ?? 0) * 1000).toBeGreaterThan(NOW - 366 * 86_400_000 - FUTURE_SKEW_MS);
      }
    }
  });
});
