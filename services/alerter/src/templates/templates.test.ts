import { describe, expect, it } from "vitest";
import type { HighPriorityAlert } from "@soc/shared";
import { bruteForceAlert } from "../testing/fixtures.ts";
import { trustedLeakUrl } from "./credential-leak.ts";
import { renderAlert } from "./index.ts";

const context = { dashboardUrl: "http://localhost:3000", githubWebUrl: "https://github.com" };

describe("alert templates", () => {
  it("says what happened to a brute force in plain English", () => {
    const notification = renderAlert(bruteForceAlert(), context);
    expect(notification.text).toBe(
      "Security alert: brute-force attack detected. 5 failed logins from 198.51.100.10 in 4 minutes.",
    );
    expect(notification.facts).toContainEqual({ label: "First seen", value: "2025-11-24T16:00:00Z" });
    expect(notification.link).toBe("http://localhost:3000/#/alerts?id=logs-0-42");
  });

  it("says where a brute force comes from: country and network", () => {
    const alert = bruteForceAlert({
      source_ip: "203.0.113.9",
      client: {
        geo: { country_iso_code: "NL", country_name: "Netherlands" },
        as: { number: 64500, organization: { name: "Example Net" } },
      },
    });
    const notification = renderAlert(alert, context);
    expect(notification.text).toBe(
      "Security alert: brute-force attack detected. 5 failed logins from 203.0.113.9 (Netherlands, AS64500 Example Net) in 4 minutes.",
    );
    expect(notification.facts).toContainEqual({ label: "Source network", value: "Netherlands, AS64500 Example Net" });
  });

  it.each([
    [{ network: "private" as const }, "from 10.0.0.7 (private network) in 4 minutes."],
    [{ network: "shared" as const }, "from 10.0.0.7 (carrier-grade NAT network) in 4 minutes."],
    [{ geo: { country_iso_code: "DE" } }, "from 10.0.0.7 (DE) in 4 minutes."],
    [{ as: { number: 64501 } }, "from 10.0.0.7 (AS64501) in 4 minutes."],
    [{}, "from 10.0.0.7 in 4 minutes."],
  ])("words a partial or reserved origin %j", (client, ending) => {
    expect(renderAlert(bruteForceAlert({ source_ip: "10.0.0.7", client }), context).text).toMatch(
      new RegExp(`${ending.replace(/[().]/g, "\\$&")}$`),
    );
  });

  it("names the origin of a per-address traffic spike", () => {
    const alert = bruteForceAlert({
      type: "traffic_spike",
      count: 240,
      client: {
        geo: { country_iso_code: "US", country_name: "United States" },
        as: { number: 15169, organization: { name: "Google LLC" } },
      },
      details: { scope: "ip", baseline_mean: 2, baseline_stddev: 1, baseline_minutes: 60 },
    });
    expect(renderAlert(alert, context).text).toBe(
      "Security alert: traffic spike from 198.51.100.10 (United States, AS15169 Google LLC). 240 requests in one minute, against a usual 2.0 per minute.",
    );
  });

  it("describes a traffic spike against its baseline", () => {
    const notification = renderAlert(
      bruteForceAlert({
        type: "traffic_spike",
        count: 240,
        details: {
          scope: "endpoint",
          subject: "on /login",
          baseline_mean: 12.5,
          baseline_stddev: 3,
          baseline_minutes: 60,
        },
      }),
      context,
    );
    expect(notification.text).toBe(
      "Security alert: traffic spike on /login. 240 requests in one minute, against a usual 12.5 per minute.",
    );
  });

  it("names where a leaked credential is, never the secret", () => {
    const notification = renderAlert(
      bruteForceAlert({
        type: "credential_leak",
        source_ip: null,
        count: 1,
        details: { repository: "acme/site", file: "config/prod.env", line: 3, rule: "stripe-live-key" },
      }),
      context,
    );
    expect(notification.text).toBe(
      "Security alert: a possible stripe-live-key was found in public code at acme/site/config/prod.env line 3. Rotate it now.",
    );
  });
});

describe("credential-leak template", () => {
  const leak = (details: HighPriorityAlert["details"], count: number | null = 1) =>
    bruteForceAlert({ type: "credential_leak", severity: "critical", source_ip: null, count, details });

  it("says when the scanner stopped early, so the responder knows the file may hold more", () => {
    const notification = renderAlert(
      leak(
        {
          repository: "acme/site",
          file: "keys.txt",
          line: 1,
          findings: 100,
          rules: "aws-access-key-id ×100",
          capped_by: "findings",
        },
        100,
      ),
      context,
    );
    expect(notification.facts).toContainEqual({
      label: "Scan stopped early",
      value: "findings cap; the file may hold more",
    });
  });

  it("sums up a per-file alert with its findings and rules", () => {
    const notification = renderAlert(
      leak(
        {
          repository: "acme/site",
          file: "config/prod.env",
          line: 12,
          findings: 4,
          rules: "aws-access-key-id ×3, stripe-live-key ×1",
          url: "https://github.com/acme/site/blob/main/config/prod.env#L12",
        },
        4,
      ),
      context,
    );
    expect(notification.text).toBe(
      "Security alert: 4 possible credentials (aws-access-key-id ×3, stripe-live-key ×1) were found in public code at acme/site/config/prod.env. Rotate them now.",
    );
    expect(notification.facts).toEqual([
      { label: "Repository", value: "acme/site" },
      { label: "File", value: "config/prod.env line 12" },
      { label: "Rules", value: "aws-access-key-id ×3, stripe-live-key ×1" },
      { label: "Findings", value: "4" },
    ]);
    expect(notification.link).toBe("https://github.com/acme/site/blob/main/config/prod.env#L12");
  });

  it.each([
    [
      "no details at all",
      {},
      null,
      "Security alert: a possible credential was found in public code at an unknown location. Rotate it now.",
    ],
    [
      "details of unexpected types",
      { repository: 42, file: null, line: true, rule: false, findings: "many", url: 7 },
      null,
      "Security alert: a possible credential was found in public code at 42. Rotate it now.",
    ],
    [
      "a finding count only in `count`",
      { file: "a.env" },
      3,
      "Security alert: 3 possible credentials were found in public code at a.env. Rotate them now.",
    ],
  ])("never crashes on %s, and says only what is there", (_name, details, count, text) => {
    expect(renderAlert(leak(details, count), context).text).toBe(text);
  });

  it.each([
    ["https://github.com/acme/site/blob/main/.env#L3", "https://github.com/acme/site/blob/main/.env#L3"],
    ["https://ghe.acme.test/acme/site/blob/main/.env#L3", "https://ghe.acme.test/acme/site/blob/main/.env#L3"],
    ["http://github.com/acme/site", null],
    ["https://github.com.evil.example/acme", null],
    ["https://github.com@evil.example/acme", null],
    ["https://user:token@github.com/acme", null],
    ["https://evil.example/login", null],
    ["javascript:alert(1)", null],
    ["//evil.example/x", null],
  ])("links %s as %s", (url, expected) => {
    expect(trustedLeakUrl(url, "https://ghe.acme.test")).toBe(expected);
    // Without a trusted URL the button falls back to the dashboard.
    expect(renderAlert(leak({ url }), { ...context, githubWebUrl: "https://ghe.acme.test" }).link).toBe(
      expected ?? "http://localhost:3000/#/alerts?id=logs-0-42",
    );
  });
});
