import { describe, expect, it } from "vitest";
import { logMessageSchema, type LogMessage } from "@soc/shared";
import { DEFAULT_KEYWORDS } from "../detection/config.ts";
import { extractFeatures } from "../detection/features.ts";
import { keywordMatcher } from "../detection/keywords.ts";
import { clientLocationOf, ecsFieldsOf, syslogHeaderOf } from "./ecs-fields.ts";

const matchKeyword = keywordMatcher(DEFAULT_KEYWORDS);
const ecs = (log: LogMessage) => ecsFieldsOf(log, extractFeatures(log, matchKeyword, 1_700_000_000));
const authentication = (outcome: string) => ({ category: ["authentication"], type: ["start"], outcome });

describe("syslogHeaderOf", () => {
  it.each([
    ["Dec 10 06:55:46 LabSZ sshd[24200]: Failed password", { host: "LabSZ", program: "sshd", pid: 24200 }],
    ["Jun  9 06:06:20 combo klogind[2286]: Authentication failed", { host: "combo", program: "klogind", pid: 2286 }],
    [
      "Jun 14 15:16:01 combo sshd(pam_unix)[19939]: authentication failure;",
      { host: "combo", program: "sshd(pam_unix)", pid: 19939 },
    ],
    ["<38>Nov 24 10:00:00 web nginx: GET /", { host: "web", program: "nginx" }],
    [
      "2026-11-24T10:00:00.123+01:00 2001:db8::7 CRON[5]: (root) CMD (true)",
      { host: "2001:db8::7", program: "CRON", pid: 5 },
    ],
    ["sshd[1]: Failed password for root from 1.2.3.4 port 22 ssh2", { program: "sshd", pid: 1 }],
  ])("%s", (line, expected) => {
    expect(syslogHeaderOf(line)).toEqual(expected);
  });

  it.each([
    ["error: maximum authentication attempts exceeded", "a message that starts with a word and a colon"],
    ["Dec 10 06:55:46 myprog: error: x", "a header without a host: the program is no host"],
    ['203.0.113.5 - - [24/Nov/2026:10:00:00 +0000] "GET / HTTP/1.1" 200 1', "an access log"],
  ])("no header in %j (%s)", (line) => {
    expect(syslogHeaderOf(line)).toBeNull();
  });
});

describe("ecsFieldsOf", () => {
  it("reads a raw syslog line posted to /logs: host, process, user, client and outcome", () => {
    expect(
      ecs({ message: "Dec 10 06:55:46 LabSZ sshd[24200]: Failed password for root from 1.2.3.4 port 22 ssh2" }),
    ).toEqual({
      host: { name: "LabSZ" },
      process: { name: "sshd", pid: 24200 },
      user: { name: "root" },
      client: { ip: "1.2.3.4", port: 22 },
      event: authentication("failure"),
    });
  });

  it.each([
    [
      "sshd accepted",
      "Dec 10 09:32:20 LabSZ sshd[24680]: Accepted password for fztu from 119.137.62.142 port 49116 ssh2",
      { name: "fztu" },
      { ip: "119.137.62.142", port: 49116 },
      "success",
    ],
    [
      "sshd invalid user",
      "Dec 10 06:55:48 LabSZ sshd[24200]: Invalid user webmaster from 173.234.31.186",
      { name: "webmaster" },
      { ip: "173.234.31.186" },
      "failure",
    ],
    [
      "PAM",
      "Dec 10 06:55:48 LabSZ sshd[24200]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=173.234.31.186  user=root",
      { name: "root" },
      { ip: "173.234.31.186" },
      "failure",
    ],
    [
      "PostgreSQL",
      '2026-11-24 10:00:00 UTC [42] bob@app 198.51.100.13(50001) FATAL:  password authentication failed for user "bob"',
      { name: "bob" },
      { ip: "198.51.100.13", port: 50001 },
      "failure",
    ],
  ])("%s", (_, message, user, client, outcome) => {
    expect(ecs({ message })).toMatchObject({ user, client, event: authentication(outcome) });
  });

  it("an nginx 401 the brute-force rule counts is a failed authentication of the named user", () => {
    expect(
      ecs({ message: '203.0.113.5 - alice [24/Nov/2026:10:00:00 +0000] "GET /admin HTTP/1.1" 401 12 "-" "curl"' }),
    ).toEqual({
      user: { name: "alice" },
      client: { ip: "203.0.113.5" },
      event: authentication("failure"),
    });
  });

  it("a request that is no login attempt has no event", () => {
    expect(ecs({ message: '203.0.113.5 - - [24/Nov/2026:10:00:00 +0000] "GET / HTTP/1.1" 200 12 "-" "curl"' })).toEqual(
      { client: { ip: "203.0.113.5" } },
    );
  });

  it("takes host and process from the syslog collector's blocks, as it sends them", () => {
    const log = logMessageSchema.parse({
      message: "bastion sshd[812]: Accepted publickey for deploy from 2001:db8::5 port 50000 ssh2: ED25519 SHA256:abc",
      source: "syslog",
      timestamp: 1_764_000_000,
      host: { name: "bastion" },
      process: { name: "sshd", pid: 812 },
      log: {
        source: { address: "10.0.0.9" },
        syslog: {
          priority: 86,
          facility: { code: 10, name: "authpriv" },
          severity: { code: 6, name: "informational" },
          hostname: "bastion",
          appname: "sshd",
          procid: "812",
        },
      },
    });
    expect(ecs(log)).toEqual({
      host: { name: "bastion" },
      process: { name: "sshd", pid: 812 },
      user: { name: "deploy" },
      client: { ip: "2001:db8::5", port: 50000 },
      event: authentication("success"),
    });
  });

  it("the collector's blocks win over a header in the text", () => {
    expect(
      ecs({ message: "Dec 10 06:55:46 forged fake[1]: hello", host: { name: "real" }, process: { name: "app" } }),
    ).toEqual({ host: { name: "real" }, process: { name: "app" } });
  });

  it("an address only found in free text is no client, though the failed login is counted", () => {
    expect(ecs({ message: "failed login attempt for user admin from 192.168.1.105" })).toEqual({
      event: authentication("failure"),
    });
  });

  it("a host name where the format puts the client is client.domain", () => {
    expect(ecs({ message: "sshd[1]: Failed password for root from scanner.example.net port 22 ssh2" })).toMatchObject({
      client: { domain: "scanner.example.net", port: 22 },
    });
  });

  it("a user name full of quotes and blanks is kept exactly, never split into other fields", () => {
    const message = `sshd[1]: Failed password for invalid user a" b' from 10.0.0.1 port 1 ssh2 from 203.0.113.9 port 4242 ssh2`;
    expect(ecs({ message })).toMatchObject({
      user: { name: `a" b' from 10.0.0.1 port 1 ssh2` },
      client: { ip: "203.0.113.9", port: 4242 },
    });
  });
});

describe("clientLocationOf", () => {
  it("keeps the enrichment, drops address, port and name", () => {
    expect(clientLocationOf({ ip: "8.8.8.8", port: 22, geo: { country_iso_code: "US" }, network: undefined })).toEqual({
      geo: { country_iso_code: "US" },
    });
    expect(clientLocationOf({ ip: "8.8.8.8", port: 22 })).toBeUndefined();
    expect(clientLocationOf(undefined)).toBeUndefined();
  });
});
