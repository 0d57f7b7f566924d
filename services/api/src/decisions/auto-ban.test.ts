import { describe, expect, it } from "vitest";
import type { HighPriorityAlert } from "@soc/shared";
import { autoBanOf, autoBanRulesSetting } from "./auto-ban.ts";

const alert = (overrides: Partial<HighPriorityAlert> = {}): HighPriorityAlert => ({
  schema_version: 1,
  alert_id: "logs-0-4",
  type: "brute_force",
  severity: "high",
  summary: "Brute-force attempt detected from 203.0.113.7 (5 attempts).",
  detected_at: 1_000,
  source_ip: "203.0.113.7",
  count: 5,
  window_seconds: 300,
  first_seen: 900,
  last_seen: 1_000,
  log_id: "logs-0-4",
  details: { pattern: "sshd" },
  ...overrides,
});
const rules = autoBanRulesSetting.parse("brute_force=4h, traffic_spike=30m");

describe("automatic bans", () => {
  it("reads AUTO_BAN_RULES, brute force for 4 hours by default, none when empty", () => {
    expect(autoBanRulesSetting.parse(undefined)).toEqual({ brute_force: 14_400 });
    expect(rules).toEqual({ brute_force: 14_400, traffic_spike: 1_800 });
    expect(autoBanRulesSetting.parse("")).toEqual({});
    expect(autoBanRulesSetting.safeParse("credential_leak=1h").error?.issues[0]?.message).toMatch(
      /expected brute_force or traffic_spike/,
    );
    expect(autoBanRulesSetting.safeParse("brute_force=forever").success).toBe(false);
  });

  it("bans a brute force's source from the alert's detection time, naming the rule and the alert", () => {
    expect(autoBanOf(alert(), rules, 1_060)).toEqual({
      ip: "203.0.113.7",
      scope: "Ip",
      reason: "Brute-force attempt detected from 203.0.113.7 (5 attempts).",
      origin: "rule:brute_force",
      alert_id: "logs-0-4",
      created_at: 1_060,
      expires_at: 15_400,
    });
    // Read after the ban would have ended: nothing left to ban.
    expect(autoBanOf(alert(), rules, 15_400)).toBeNull();
  });

  it("never bans a source only inferred from free text, a host name, an endpoint's spike or an alert without a rule", () => {
    expect(autoBanOf(alert({ details: { source_inferred: true } }), rules, 1_000)).toBeNull();
    expect(autoBanOf(alert({ source_ip: "bastion.example.org" }), rules, 1_000)).toBeNull();
    expect(
      autoBanOf(alert({ type: "traffic_spike", details: { scope: "endpoint", subject: "/login" } }), rules, 1_000),
    ).toBeNull();
    expect(
      autoBanOf(alert({ type: "traffic_spike", details: { scope: "ip", subject: "203.0.113.7" } }), rules, 1_000)
        ?.expires_at,
    ).toBe(2_800);
    expect(autoBanOf(alert(), {}, 1_000)).toBeNull();
    expect(autoBanOf(alert({ type: "credential_leak", source_ip: null }), rules, 1_000)).toBeNull();
  });
});
