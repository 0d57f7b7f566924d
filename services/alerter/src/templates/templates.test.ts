import { describe, expect, it } from "vitest";
import { bruteForceAlert } from "../testing/fixtures.ts";
import { renderAlert } from "./index.ts";

describe("alert templates", () => {
  it("says what happened to a brute force in plain English", () => {
    const notification = renderAlert(bruteForceAlert(), "http://localhost:3000");
    expect(notification.text).toBe("Security alert: brute-force attack detected. 5 failed logins from 198.51.100.10 in 4 minutes.");
    expect(notification.facts).toContainEqual({ label: "First seen", value: "2025-11-24T16:00:00Z" });
    expect(notification.link).toBe("http://localhost:3000/#/alerts?id=logs-0-42");
  });

  it("describes a traffic spike against its baseline", () => {
    const notification = renderAlert(
      bruteForceAlert({ type: "traffic_spike", count: 240, details: { scope: "endpoint", subject: "on /login", baseline_mean: 12.5, baseline_stddev: 3, baseline_minutes: 60 } }),
      "http://localhost:3000",
    );
    expect(notification.text).toBe("Security alert: traffic spike on /login. 240 requests in one minute, against a usual 12.5 per minute.");
  });

  it("names where a leaked credential is, never the secret", () => {
    const notification = renderAlert(
      bruteForceAlert({ type: "credential_leak", source_ip: null, details: { repository: "acme/site", file: "config/prod.env", line: 3, rule: "stripe-live-key" } }),
      "http://localhost:3000",
    );
    expect(notification.text).toBe("Security alert: a possible stripe-live-key was found in public code at acme/site/config/prod.env line 3. Rotate it now.");
  });
});
