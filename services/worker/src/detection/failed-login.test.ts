import { describe, expect, it } from "vitest";
import { recogniseFailedLogin } from "./failed-login.ts";

describe("recogniseFailedLogin", () => {
  it.each([
    [
      "sshd password",
      "Dec 10 07:07:38 LabSZ sshd[24206]: Failed password for root from 52.80.34.196 port 36060 ssh2",
      "sshd-failed-auth",
    ],
    [
      "sshd invalid user password",
      "sshd[24200]: Failed password for invalid user webmaster from 173.234.31.186 port 38926 ssh2",
      "sshd-failed-auth",
    ],
    [
      "sshd none method",
      "sshd[1]: Failed none for invalid user 0 from 5.188.10.180 port 49811 ssh2",
      "sshd-failed-auth",
    ],
    ["sshd invalid user", "sshd[24200]: Invalid user webmaster from 173.234.31.186", "sshd-invalid-user"],
    [
      "sshd not allowed",
      "sshd[9]: User bob from 10.1.2.3 not allowed because not listed in AllowUsers",
      "sshd-user-not-allowed",
    ],
    [
      "sshd auth fail disconnect",
      "sshd[9]: error: Received disconnect from 1.2.3.4: 3: com.jcraft.jsch.JSchException: Auth fail [preauth]",
      "sshd-auth-fail-disconnect",
    ],
    [
      "sshd max attempts",
      "sshd[9]: error: maximum authentication attempts exceeded for root from 1.2.3.4 port 22 ssh2 [preauth]",
      "sshd-max-attempts",
    ],
    [
      "PAM for another service",
      "su[77]: pam_unix(su:auth): authentication failure; logname=bob uid=1000 euid=0 tty=pts/0 ruser=bob rhost=  user=root",
      "pam-auth-failure",
    ],
    [
      "PostgreSQL",
      '2026-11-24 10:00:00 UTC [123] FATAL:  password authentication failed for user "postgres"',
      "postgresql-password",
    ],
    [
      "nginx basic auth",
      '2026/11/24 10:00:00 [error] 7#7: *1 user "admin": password mismatch, client: 203.0.113.5, server: _, request: "GET / HTTP/1.1"',
      "nginx-basic-auth",
    ],
    [
      "nginx unknown user",
      '2026/11/24 10:00:00 [error] 7#7: *1 user "eve" was not found in "/etc/nginx/.htpasswd", client: 203.0.113.5',
      "nginx-basic-auth",
    ],
    [
      "Apache",
      '[Tue Nov 24 10:00:00 2026] [auth_basic:error] [pid 1] [client 203.0.113.5:5555] AH01617: user admin: authentication failure for "/": Password Mismatch',
      "apache-auth",
    ],
    [
      "HTTP 401 in an access log",
      '203.0.113.5 - - [24/Nov/2026:10:00:00 +0000] "POST /login HTTP/1.1" 401 12 "-" "curl/8"',
      "http-401",
    ],
    ["the contract's example", "failed login attempt for user admin from 192.168.1.105", "generic-failed-login"],
    ["the contract's keyword", "authentication failure for user admin from 192.168.1.105", "generic-failed-login"],
  ])("counts %s", (_, line, expected) => {
    expect(recogniseFailedLogin(line)).toBe(expected);
  });

  it.each([
    [
      "sshd's PAM duplicate of a Failed password line",
      "sshd[24200]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=173.234.31.186",
    ],
    [
      "sshd's PAM summary",
      "sshd[24375]: PAM 1 more authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=5.188.10.180",
    ],
    [
      "a syslog repeat summary",
      "sshd[24227]: message repeated 5 times: [ Failed password for root from 5.36.59.76 port 42393 ssh2]",
    ],
    ["a rejected public key", "sshd[1]: Failed publickey for git from 10.0.0.5 port 50000 ssh2"],
    ["a successful login", "sshd[1]: Accepted password for fztu from 119.137.62.142 port 49116 ssh2"],
    ["a normal disconnect", "sshd[1]: Received disconnect from 1.2.3.4: 11: Bye Bye [preauth]"],
    ["a 200 request", '203.0.113.5 - - [24/Nov/2026:10:00:00 +0000] "GET /login HTTP/1.1" 200 12 "-" "curl/8"'],
  ])("does not count %s", (_, line) => {
    expect(recogniseFailedLogin(line)).toBeNull();
  });

  it("costs little on hostile 64 KiB lines: one 5 MiB ingest request of them is not seconds of worker CPU", () => {
    // Each repeats a failure's head without its tail; the earlier `.*?` patterns rescanned the line per head (64 ms a line here).
    const hostile = [": Failed x for ", ": Invalid user ", "Received disconnect from a:3: ", 'user "', '"GET '].map(
      (head) => head.repeat(Math.floor(65_536 / head.length)),
    );
    const started = performance.now();
    for (let request = 0; request < 16; request++) for (const line of hostile) recogniseFailedLogin(line);
    // A safety net, not a benchmark: 80 lines took ~5 s before; linear patterns take ~30 ms.
    expect(performance.now() - started).toBeLessThan(2000);
  });
});
