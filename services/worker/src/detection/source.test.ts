import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { addressOf, attributeSource, firstAddressIn } from "./source.ts";

const source = (line: string) => {
  const { ip, host, inferred, format } = attributeSource(line);
  return { ip, host, inferred, format };
};

describe("attributeSource: the client position of each recognised format", () => {
  it.each([
    [
      "sshd failed password",
      "Dec 10 07:07:38 LabSZ sshd[24206]: Failed password for root from 52.80.34.196 port 36060 ssh2",
      "52.80.34.196",
      "sshd",
    ],
    [
      "sshd with an address as user name",
      "Dec 10 07:07:38 LabSZ sshd[24206]: Failed password for invalid user 10.0.0.1 from 203.0.113.9 port 4242 ssh2",
      "203.0.113.9",
      "sshd",
    ],
    [
      "sshd bare line",
      "Failed password for invalid user 10.0.0.1 from 203.0.113.9 port 4242 ssh2",
      "203.0.113.9",
      "sshd",
    ],
    [
      "sshd user name holding a whole fake trailer",
      "sshd[1]: Failed password for invalid user x from 10.0.0.1 port 22 ssh2 from 203.0.113.9 port 4242 ssh2",
      "203.0.113.9",
      "sshd",
    ],
    [
      "sshd old invalid user",
      "Dec 10 06:55:48 LabSZ sshd[24200]: Invalid user 192.168.1.1 from 173.234.31.186",
      "173.234.31.186",
      "sshd",
    ],
    ["sshd invalid user with port", "sshd[1]: Invalid user admin from 198.51.100.7 port 50514", "198.51.100.7", "sshd"],
    [
      "sshd not allowed",
      "sshd[9]: User 10.0.0.1 from 198.51.100.3 not allowed because not listed in AllowUsers",
      "198.51.100.3",
      "sshd",
    ],
    [
      "sshd max attempts",
      "sshd[9]: error: maximum authentication attempts exceeded for root from 198.51.100.4 port 22 ssh2 [preauth]",
      "198.51.100.4",
      "sshd",
    ],
    [
      "sshd disconnect with client-chosen reason",
      "sshd[1]: Received disconnect from 198.51.100.5 port 4711:11: from 10.0.0.1 port 1 [preauth]",
      "198.51.100.5",
      "sshd",
    ],
    [
      "sshd old disconnect",
      "sshd[24206]: Received disconnect from 52.80.34.196: 11: Bye Bye [preauth]",
      "52.80.34.196",
      "sshd",
    ],
    [
      "sshd disconnect of an invalid user",
      "sshd[1]: Disconnected from invalid user 10.0.0.1 198.51.100.6 port 3345 [preauth]",
      "198.51.100.6",
      "sshd",
    ],
    ["sshd connection closed", "sshd[1]: Connection closed by 198.51.100.8 port 22 [preauth]", "198.51.100.8", "sshd"],
    [
      "sshd reverse mapping",
      "sshd[1]: reverse mapping checking getaddrinfo for 10.0.0.1.example [198.51.100.9] failed - POSSIBLE BREAK-IN ATTEMPT!",
      "198.51.100.9",
      "sshd",
    ],
    ["sshd IPv6", "sshd[1]: Failed password for root from 2001:DB8::42 port 22 ssh2", "2001:db8::42", "sshd"],
    [
      "sshd IPv4-mapped IPv6",
      "sshd[1]: Failed password for root from ::ffff:203.0.113.9 port 22 ssh2",
      "203.0.113.9",
      "sshd",
    ],
    [
      "PAM",
      "sshd[1]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=198.51.100.10  user=10.0.0.1",
      "198.51.100.10",
      "pam",
    ],
    [
      "PAM, the older sshd(pam_unix) style",
      "Jun 14 15:16:01 combo sshd(pam_unix)[19939]: authentication failure; logname= uid=0 euid=0 tty=NODEVssh ruser= rhost=218.188.2.4",
      "218.188.2.4",
      "pam",
    ],
    [
      "PAM IPv6",
      "sshd[1]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=2001:db8::7",
      "2001:db8::7",
      "pam",
    ],
    [
      "klogind",
      "Jun 9 06:06:20 combo klogind[2286]: Authentication failed from 163.27.187.39 (163.27.187.39): Permission denied in replay cache code",
      "163.27.187.39",
      "klogind",
    ],
    [
      "login",
      "Jun 12 06:00:01 combo login[1234]: FAILED LOGIN 1 FROM 198.51.100.11 FOR root, Authentication failure",
      "198.51.100.11",
      "login",
    ],
    [
      "nginx access",
      '203.0.113.5 - - [24/Nov/2026:10:00:00 +0000] "POST /login?from=10.0.0.1 HTTP/1.1" 401 12 "-" "10.0.0.1"',
      "203.0.113.5",
      "access-log",
    ],
    [
      "access log after a syslog header",
      'Nov 24 10:00:00 web nginx: 2001:db8::5 - 10.0.0.1 [24/Nov/2026:10:00:00 +0000] "GET / HTTP/1.1" 200 1',
      "2001:db8::5",
      "access-log",
    ],
    [
      "Apache 2.2 error",
      "[Sun Dec 04 04:47:44 2005] [error] [client 211.141.84.13] Directory index forbidden by rule: /var/www/html/",
      "211.141.84.13",
      "apache-error",
    ],
    [
      "Apache 2.4 error",
      '[Tue Nov 24 10:00:00 2026] [auth_basic:error] [pid 1] [client 203.0.113.5:5555] AH01617: user 10.0.0.1: authentication failure for "/"',
      "203.0.113.5",
      "apache-error",
    ],
    [
      "Apache 2.4 error, IPv6 with port",
      "[Tue Nov 24 10:00:00 2026] [core:error] [pid 1:tid 2] [client 2001:db8::1:5555] AH00037: Symbolic link not allowed",
      "2001:db8::1",
      "apache-error",
    ],
    [
      "nginx error",
      '2026/11/24 10:00:00 [error] 7#7: *1 user "admin": password mismatch, client: 203.0.113.6, server: _, request: "GET / HTTP/1.1"',
      "203.0.113.6",
      "nginx-error",
    ],
    [
      "PostgreSQL connection",
      "2026-11-24 10:00:00.000 UTC [42] LOG:  connection received: host=198.51.100.12 port=50000",
      "198.51.100.12",
      "postgresql",
    ],
    [
      "PostgreSQL %r prefix",
      '2026-11-24 10:00:00 UTC [42] bob@app 198.51.100.13(50001) FATAL:  password authentication failed for user "bob"',
      "198.51.100.13",
      "postgresql",
    ],
  ])("%s", (_, line, ip, format) => {
    expect(source(line)).toEqual({ ip, host: null, inferred: false, format });
  });

  it.each([
    [
      "sshd with UseDNS",
      "sshd[1]: Failed password for root from scanner.example.net port 22 ssh2",
      "scanner.example.net",
      "sshd",
    ],
    [
      "PAM rhost",
      "sshd[1]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=host.example  user=root",
      "host.example",
      "pam",
    ],
    [
      "a host name full of digits",
      "sshd(pam_unix)[1]: authentication failure; logname= uid=0 euid=0 tty=NODEVssh ruser= rhost=61-220-159-99.hinet-ip.hinet.net  user=root",
      "61-220-159-99.hinet-ip.hinet.net",
      "pam",
    ],
    [
      "a host name that holds an address",
      "sshd[1]: Failed password for root from 10.0.0.1.nip.io port 22 ssh2",
      "10.0.0.1.nip.io",
      "sshd",
    ],
  ])("records a host name as such, never mined for digits: %s", (_, line, host, format) => {
    expect(source(line)).toEqual({ ip: null, host, inferred: false, format });
  });

  it.each([
    [
      "a local su failure (empty rhost)",
      "su[77]: pam_unix(su:auth): authentication failure; logname=bob uid=1000 euid=0 tty=pts/0 ruser=bob rhost=  user=10.0.0.1",
      "pam",
    ],
    ["an sshd failure without an address", "sshd[1]: Failed password for invalid user 10.0.0.1", "sshd"],
    [
      "sshd's too-many-failures line naming an address-like user",
      "sshd[1]: Disconnecting: Too many authentication failures for 10.0.0.1 [preauth]",
      "sshd",
    ],
    ["sshd's invalid-user request line", "sshd[1]: input_userauth_request: invalid user 10.0.0.1 [preauth]", "sshd"],
    [
      "an sshd line whose address position holds garbage",
      "sshd[1]: Failed password for root from 10.0.0.1_x port 22 ssh2",
      "sshd",
    ],
  ])("a recognised line naming no client gives no source at all: %s", (_, line, format) => {
    expect(source(line)).toEqual({ ip: null, host: null, inferred: false, format });
  });

  it("falls back to an address in the text of an unknown format, marked inferred", () => {
    expect(source("failed login attempt for user admin from 192.168.1.105")).toEqual({
      ip: "192.168.1.105",
      host: null,
      inferred: true,
      format: null,
    });
    expect(source("app: login failed for [2001:db8::9]:443")).toEqual({
      ip: "2001:db8::9",
      host: null,
      inferred: true,
      format: null,
    });
    expect(source("version 999.1.1.1 is out")).toEqual({ ip: null, host: null, inferred: false, format: null });
  });

  it("treats an nginx error line with two client fields as ambiguous (inferred)", () => {
    const line =
      '2026/11/24 10:00:00 [error] 7#7: *1 user "x, client: 10.0.0.1, server: a" was not found in "/etc/htpasswd", client: 203.0.113.9, server: _';
    expect(attributeSource(line).inferred).toBe(true);
  });

  it("trusts a collector's structured address over the text", () => {
    expect(attributeSource("Failed password for root from 10.0.0.1 port 22 ssh2", "2001:DB8::1")).toMatchObject({
      ip: "2001:db8::1",
      format: "structured",
    });
    expect(attributeSource("GET /", "198.51.100.1")).toEqual({
      ip: "198.51.100.1",
      host: null,
      inferred: false,
      format: "structured",
    });
  });
});

describe("attributeSource: port, user and outcome where the format writes them", () => {
  const facts = (line: string) => {
    const { ip, host, port, user, outcome } = attributeSource(line);
    return { ip, host, port, user, outcome };
  };

  it.each([
    [
      "sshd failed password",
      "Dec 10 06:55:46 LabSZ sshd[24200]: Failed password for root from 1.2.3.4 port 22 ssh2",
      { ip: "1.2.3.4", port: 22, user: "root", outcome: "failure" },
    ],
    [
      "sshd failed password of an invalid user",
      "sshd[1]: Failed password for invalid user admin from 203.0.113.9 port 4242 ssh2",
      { ip: "203.0.113.9", port: 4242, user: "admin", outcome: "failure" },
    ],
    [
      "sshd accepted password",
      "Dec 10 09:32:20 LabSZ sshd[24680]: Accepted password for fztu from 119.137.62.142 port 49116 ssh2",
      { ip: "119.137.62.142", port: 49116, user: "fztu", outcome: "success" },
    ],
    [
      "sshd accepted key",
      "sshd[1]: Accepted publickey for deploy from 2001:db8::5 port 50000 ssh2: RSA SHA256:abc",
      { ip: "2001:db8::5", port: 50000, user: "deploy", outcome: "success" },
    ],
    [
      "sshd invalid user, old style",
      "Dec 10 06:55:48 LabSZ sshd[24200]: Invalid user webmaster from 173.234.31.186",
      { ip: "173.234.31.186", user: "webmaster", outcome: "failure" },
    ],
    [
      "sshd invalid user with port",
      "sshd[1]: Invalid user admin from 198.51.100.7 port 50514",
      { ip: "198.51.100.7", port: 50514, user: "admin", outcome: "failure" },
    ],
    [
      "sshd user not allowed",
      "sshd[9]: User bob from 198.51.100.3 not allowed because not listed in AllowUsers",
      { ip: "198.51.100.3", user: "bob", outcome: "failure" },
    ],
    [
      "sshd too many attempts",
      "sshd[9]: error: maximum authentication attempts exceeded for root from 198.51.100.4 port 22 ssh2 [preauth]",
      { ip: "198.51.100.4", port: 22, user: "root", outcome: "failure" },
    ],
    [
      "sshd postponed: a step, no outcome",
      "sshd[1]: Postponed keyboard-interactive for alice from 198.51.100.2 port 2222 ssh2 [preauth]",
      { ip: "198.51.100.2", port: 2222, user: "alice" },
    ],
    [
      "sshd disconnect of an authenticating user",
      "sshd[1]: Connection closed by authenticating user root 198.51.100.8 port 22 [preauth]",
      { ip: "198.51.100.8", port: 22, user: "root" },
    ],
    [
      "sshd disconnect with port",
      "sshd[1]: Received disconnect from 198.51.100.5 port 4711:11: Bye Bye [preauth]",
      { ip: "198.51.100.5", port: 4711 },
    ],
    [
      "sshd connection",
      "sshd[1]: Connection from 198.51.100.6 port 3345 on 10.0.0.2 port 22",
      { ip: "198.51.100.6", port: 3345 },
    ],
    [
      "PAM",
      "sshd[1]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=198.51.100.10  user=root",
      { ip: "198.51.100.10", user: "root", outcome: "failure" },
    ],
    [
      "PAM without a user",
      "Jun 14 15:16:01 combo sshd(pam_unix)[19939]: authentication failure; logname= uid=0 euid=0 tty=NODEVssh ruser= rhost=218.188.2.4",
      { ip: "218.188.2.4", outcome: "failure" },
    ],
    [
      "PAM, a local su",
      "su[77]: pam_unix(su:auth): authentication failure; logname=bob uid=1000 euid=0 tty=pts/0 ruser=bob rhost=  user=root",
      { ip: null, user: "root", outcome: "failure" },
    ],
    [
      "nginx access with a Basic-auth user",
      '203.0.113.5 - alice [24/Nov/2026:10:00:00 +0000] "GET /admin HTTP/1.1" 401 12 "-" "curl"',
      { ip: "203.0.113.5", user: "alice" },
    ],
    [
      "nginx access without a user",
      '203.0.113.5 - - [24/Nov/2026:10:00:00 +0000] "GET / HTTP/1.1" 200 12 "-" "curl"',
      { ip: "203.0.113.5" },
    ],
    [
      "Apache 2.4 error: the port after the address",
      "[Tue Nov 24 10:00:00 2026] [core:error] [pid 1:tid 2] [client 2001:db8::1:5555] AH00037: Symbolic link not allowed",
      { ip: "2001:db8::1", port: 5555 },
    ],
    [
      "PostgreSQL connection",
      "2026-11-24 10:00:00.000 UTC [42] LOG:  connection received: host=198.51.100.12 port=50000",
      { ip: "198.51.100.12", port: 50000 },
    ],
    [
      "PostgreSQL failed password",
      '2026-11-24 10:00:00 UTC [42] bob@app 198.51.100.13(50001) FATAL:  password authentication failed for user "bob"',
      { ip: "198.51.100.13", port: 50001, user: "bob", outcome: "failure" },
    ],
    [
      "PostgreSQL failed password, a quote in the user",
      '2026-11-24 10:00:00 UTC [42] x@app 198.51.100.13(50001) FATAL:  password authentication failed for user "a" b"',
      { ip: "198.51.100.13", port: 50001, user: 'a" b', outcome: "failure" },
    ],
    [
      "PostgreSQL authorized",
      "2026-11-24 10:00:00 UTC [42] bob@app 198.51.100.14(50002) LOG:  connection authorized: user=bob database=app application_name=psql",
      { ip: "198.51.100.14", port: 50002, user: "bob", outcome: "success" },
    ],
    [
      "PostgreSQL authorized, a user that holds the separator",
      "2026-11-24 10:00:00 UTC [42] x@app 198.51.100.14(50002) LOG:  connection authorized: user=a database=b database=app",
      { ip: "198.51.100.14", port: 50002, outcome: "success" },
    ],
    [
      "klogind failure",
      "Jun 9 06:06:20 combo klogind[2286]: Authentication failed from 163.27.187.39 (163.27.187.39): Permission denied in replay cache code",
      { ip: "163.27.187.39", outcome: "failure" },
    ],
  ])("%s", (_, line, expected) => {
    expect(facts(line)).toEqual({ host: null, ...expected });
  });

  it("a user name written as a whole fake trailer is the user, not the source", () => {
    expect(
      facts("sshd[1]: Failed password for invalid user x from 10.0.0.1 port 22 ssh2 from 203.0.113.9 port 4242 ssh2"),
    ).toEqual({
      ip: "203.0.113.9",
      host: null,
      port: 4242,
      user: "x from 10.0.0.1 port 22 ssh2",
      outcome: "failure",
    });
  });

  it("a line of no known format says nothing of port, user or outcome", () => {
    expect(facts("failed login attempt for user admin from 192.168.1.105")).toEqual({
      ip: "192.168.1.105",
      host: null,
    });
  });

  it("a collector's address keeps the line's user and outcome but not its port (the port of another party)", () => {
    expect(attributeSource("sshd[1]: Failed password for root from 10.0.0.1 port 22 ssh2", "198.51.100.1")).toEqual({
      ip: "198.51.100.1",
      host: null,
      inferred: false,
      format: "structured",
      user: "root",
      outcome: "failure",
    });
  });

  it("a name longer than any account name is not taken for one", () => {
    expect(
      attributeSource(`sshd[1]: Failed password for ${"a".repeat(300)} from 198.51.100.1 port 22 ssh2`).user,
    ).toBeUndefined();
  });
});

describe("attributeSource against a client who chooses part of the line", () => {
  const address = fc.oneof(
    fc.ipV4(),
    fc.ipV6().map((ip) => addressOf(ip) ?? "2001:db8::1"),
  );
  const clientText = fc.string({
    maxLength: 200,
    unit: fc.constantFrom(...'ab 10.0.1:[]()from port ssh2 rhost= user="\\\r\n\t'),
  });

  it("sshd: whatever the user name, the source is the address sshd writes last", () => {
    fc.assert(
      fc.property(clientText, address, fc.integer({ min: 1, max: 65535 }), (user, ip, port) => {
        const line = `Dec 10 07:07:38 LabSZ sshd[24206]: Failed password for invalid user ${user} from ${ip} port ${port} ssh2`;
        expect(attributeSource(line).ip).toBe(addressOf(ip));
      }),
      { numRuns: 500 },
    );
  });

  // sshd and PAM write the name as sent; a tab or line break would end the line before the trailer.
  const userName = fc.string({
    minLength: 1,
    maxLength: 200,
    unit: fc.constantFrom(..."ab 10.0.1:[]()from port ssh2 rhost= user=\"'\\"),
  });

  it("sshd: whatever the user name, user.name is exactly the name and the port is sshd's", () => {
    fc.assert(
      fc.property(userName, address, fc.integer({ min: 0, max: 65535 }), fc.boolean(), (user, ip, port, accepted) => {
        const line = `Dec 10 07:07:38 LabSZ sshd[24206]: ${accepted ? "Accepted" : "Failed"} password for ${user} from ${ip} port ${port} ssh2`;
        expect(attributeSource(line)).toMatchObject({
          ip: addressOf(ip),
          port,
          user: user.replace(/^(?:invalid|illegal) user /, ""),
          outcome: accepted ? "success" : "failure",
        });
      }),
      { numRuns: 500 },
    );
  });

  it("PAM: whatever the user name, user.name is exactly what follows user=", () => {
    fc.assert(
      fc.property(
        userName.filter((user) => user.trimEnd() === user),
        address,
        (user, ip) => {
          expect(
            attributeSource(
              `sshd[1]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=${ip}  user=${user}`,
            ),
          ).toMatchObject({ ip: addressOf(ip), user, outcome: "failure" });
        },
      ),
      { numRuns: 300 },
    );
  });

  it("sshd: whatever the client's disconnect reason, the source is the address before it", () => {
    fc.assert(
      fc.property(clientText, address, (reason, ip) => {
        expect(attributeSource(`sshd[1]: Received disconnect from ${ip} port 22:11: ${reason}`).ip).toBe(addressOf(ip));
      }),
      { numRuns: 300 },
    );
  });

  it("PAM: whatever the user name, the source is rhost", () => {
    fc.assert(
      fc.property(clientText, address, (user, ip) => {
        expect(
          attributeSource(
            `sshd[1]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=${ip}  user=${user}`,
          ).ip,
        ).toBe(addressOf(ip));
      }),
      { numRuns: 300 },
    );
  });

  it("access logs: whatever the path, user and agent, the source is the first field", () => {
    fc.assert(
      fc.property(clientText, address, (text, ip) => {
        const path = encodeURI(text);
        expect(
          attributeSource(`${ip} - - [24/Nov/2026:10:00:00 +0000] "GET /${path} HTTP/1.1" 200 1 "-" "${text}"`).ip,
        ).toBe(addressOf(ip));
      }),
      { numRuns: 300 },
    );
  });

  it("never throws, and costs little on hostile 64 KiB lines", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 2000 }), (line) => void attributeSource(line)),
      { numRuns: 300 },
    );
    const hostile = [
      "sshd[1]: Failed password for invalid user " + "x from 1.2.3.4 port ".repeat(3500),
      "sshd[1]: Received disconnect from " + "1".repeat(65_000),
      "a ".repeat(32_000) + "sshd[1]: Invalid user",
      ":".repeat(65_536),
      "1.".repeat(32_768),
      "2026/11/24 10:00:00 [error] 7#7: *1 " + ", client: 1.2.3.4, server: ".repeat(2000),
    ];
    const started = performance.now();
    for (const line of hostile) attributeSource(line);
    // A safety net only (linearity is by construction); the old first-address scan took longer on one line.
    expect(performance.now() - started).toBeLessThan(1000);
  });
});

describe("firstAddressIn", () => {
  it.each([
    ["failed login attempt for user admin from 192.168.1.105", "192.168.1.105"],
    ["[client 203.0.113.5:5555] AH01617", "203.0.113.5"],
    ["version 999.1.1.1 then 10.0.0.1.", "10.0.0.1"],
    ["peer=[2001:db8::2]:8443 reset", "2001:db8::2"],
    ["no address here", null],
    ["1.2.3", null],
  ])("finds the address in %j", (line, expected) => {
    expect(firstAddressIn(line)).toBe(expected);
  });
});
